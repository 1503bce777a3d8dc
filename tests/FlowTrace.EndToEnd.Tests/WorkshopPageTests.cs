using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>A workshop: a presenter's browser and an attendee's, each its own, on one server.</summary>
[Collection(AppCollection.Name)]
public sealed class WorkshopPageTests(AppFixture app)
{
    private static ILocator Step(IPage page, string name) =>
        page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = name, Exact = true });

    [Fact]
    public async Task Workshop_PresenterStepsThrough_AttendeeFollowsEveryStep()
    {
        // The presenter on the shared page (it leaves the room and its options as it found them), the attendee in a
        // browser of its own.
        var presenter = await app.SharedPageAsync();
        try
        {
            await PresentAndFollowAsync(presenter);
        }
        finally
        {
            await AppFixture.OpenOptionsAsync(presenter);
            await presenter.GetByLabel("Step mode (pause after each step)").UncheckAsync();
            await presenter.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
        }
    }

    private async Task PresentAndFollowAsync(IPage presenter)
    {
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Start a workshop" }).ClickAsync();
        await Assertions.Expect(presenter).ToHaveURLAsync(new Regex("/r/[A-Z2-9]{6}$"));
        var code = (await presenter.Locator(".join-code").TextContentAsync())!;
        await Assertions.Expect(presenter.GetByRole(AriaRole.Img, new() { Name = "QR code of the join link" })).ToBeVisibleAsync();

        // The attendee types the link shown on the projector (lower case is fine), on a phone's width. (Several attendees
        // of one room are the server tests' and the across-instances test's; each page load here is ~10 CPU-seconds.)
        var attendee = await app.OpenAtAsync($"r/{code.ToLowerInvariant()}", page => page.GetByText("You follow the presenter"), width: 400, height: 800);
        await Assertions.Expect(attendee.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" })).ToHaveCountAsync(0);

        await AppFixture.OpenOptionsAsync(presenter);
        await presenter.GetByLabel("Step mode (pause after each step)").CheckAsync();
        await presenter.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }).ClickAsync();
        // Paused after DNS: the attendee sees it too, without a button to go on.
        await Assertions.Expect(Step(attendee, "DNS lookup")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await Assertions.Expect(attendee.Locator(".status p.paused")).ToContainTextAsync("The presenter goes on");
        await Assertions.Expect(attendee.GetByRole(AriaRole.Button, new() { Name = "Next step" })).ToHaveCountAsync(0);
        await Assertions.Expect(Step(attendee, "TCP connection")).Not.ToHaveClassAsync(new Regex(@"\bdone\b"));

        var next = presenter.GetByRole(AriaRole.Button, new() { Name = "Next step" });
        await next.ClickAsync();
        await Assertions.Expect(Step(attendee, "TCP connection")).ToHaveClassAsync(new Regex(@"\bdone\b"));

        // Paused before TLS: predict, then reveal.
        await presenter.GetByRole(AriaRole.Button, new() { Name = "How many round trips will the TLS handshake take?" }).ClickAsync();
        var question = attendee.GetByRole(AriaRole.Region, new() { Name = "Question to the room" });
        await Assertions.Expect(question.Locator("h2.question")).ToHaveTextAsync("How many round trips will the TLS handshake take?");
        await question.GetByRole(AriaRole.Button, new() { Name = "1", Exact = true }).ClickAsync();
        await Assertions.Expect(question).ToContainTextAsync("Answer sent");
        await Assertions.Expect(presenter.Locator(".room-questions .answers")).ToHaveTextAsync("1 answer(s)");
        // The projector view, driven by keys: space goes on, R reveals.
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Projector view" }).ClickAsync();
        await Assertions.Expect(presenter.Locator("main.projector")).ToBeFocusedAsync();
        await Assertions.Expect(presenter.Locator("form")).ToBeHiddenAsync();
        await presenter.Keyboard.PressAsync("Space");
        await Assertions.Expect(Step(attendee, "TLS handshake")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await presenter.Keyboard.PressAsync("r");
        await Assertions.Expect(question.Locator(".reveal")).ToContainTextAsync("Right answer: 1. The handshake took 1 round trip");
        await Assertions.Expect(question.Locator("li.right")).ToHaveAttributeAsync("data-choice", "0");
        await AppFixture.ScreenshotAsync(presenter, nameof(Workshop_PresenterStepsThrough_AttendeeFollowsEveryStep) + "-projector");
        await presenter.Keyboard.PressAsync("Escape");
        await Assertions.Expect(presenter.Locator("main.projector")).ToHaveCountAsync(0);

        // The presenter's own question: an opinion poll, which the trace cannot judge. This time the attendee does not
        // answer: the reveal reaches it all the same.
        await presenter.GetByText("Or ask your own").ClickAsync();
        await presenter.Locator("#own-question").FillAsync("Would you trust this certificate?");
        await presenter.Locator("#own-choices").FillAsync("Yes\nNo");
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await Assertions.Expect(question.Locator("h2.question")).ToHaveTextAsync("Would you trust this certificate?");
        await Assertions.Expect(question.GetByRole(AriaRole.Button, new() { Name = "No", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(presenter.Locator(".room-questions .answers")).ToHaveTextAsync("0 answer(s)");
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Reveal" }).ClickAsync();
        await Assertions.Expect(question.Locator(".reveal")).ToContainTextAsync("opinion poll");
        await AppFixture.ScreenshotAsync(attendee, nameof(Workshop_PresenterStepsThrough_AttendeeFollowsEveryStep) + "-reveal");
        for (var i = 0; i < 10 && await presenter.Locator(".status p.ok").CountAsync() == 0; i++)
        {
            await next.Or(presenter.Locator(".status p.ok")).First.WaitForAsync();
            if (await next.IsVisibleAsync())
                await next.ClickAsync();
        }

        await Assertions.Expect(attendee.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
        foreach (var name in new[] { "TLS handshake", "HTTP response", "Connection handling" })
            await Assertions.Expect(Step(attendee, name)).ToHaveClassAsync(new Regex(@"\bdone\b"));
        // The room's page draws the exchange as the trace page does, from the presenter's trace.
        await Assertions.Expect(attendee.Locator("svg.ladder g.arrow[data-label='ClientHello']")).ToHaveCountAsync(1);
        await Assertions.Expect(attendee.Locator("svg.ladder g.arrow[data-label='GET / HTTP/1.1']")).ToHaveCountAsync(1);
        // A phone's width: the room's page does not scroll sideways.
        Assert.True(await attendee.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        // Kept: the room lists it, for the attendee too, and a late joiner finds it there.
        await Assertions.Expect(attendee.GetByRole(AriaRole.Region, new() { Name = "The room's traces" }).GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await AppFixture.ScreenshotAsync(presenter, nameof(Workshop_PresenterStepsThrough_AttendeeFollowsEveryStep) + "-presenter");

        // The presenter lets attendees trace on their own: the attendee's own trace runs in its own panel, and the
        // room's trace stays as it was.
        var own = attendee.GetByRole(AriaRole.Region, new() { Name = "Your own trace" });
        await Assertions.Expect(own).ToHaveCountAsync(0);
        await presenter.GetByLabel("Let attendees trace URLs of their own beside the room's trace").CheckAsync();
        await Assertions.Expect(own).ToBeVisibleAsync();
        var refused = await attendee.EvaluateAsync<string>("() => fetch('/api/lab').then(r => r.json()).then(s => s.find(x => x.name === 'refused').url)");
        await own.GetByLabel("URL").FillAsync(refused);
        await own.GetByRole(AriaRole.Button, new() { Name = "Trace it yourself" }).ClickAsync();
        await Assertions.Expect(own.Locator(".status p.error")).ToBeVisibleAsync();
        await Assertions.Expect(own.Locator("ol.steps").GetByRole(AriaRole.Listitem, new() { Name = "TCP connection", Exact = true })).ToHaveClassAsync(new Regex(@"\bfailed\b"));
        await Assertions.Expect(attendee.Locator(".status p.ok").First).ToContainTextAsync("Trace completed");
        await Assertions.Expect(Step(attendee, "Connection handling")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await AppFixture.ScreenshotAsync(attendee, nameof(Workshop_PresenterStepsThrough_AttendeeFollowsEveryStep) + "-attendee");
        await attendee.Context.CloseAsync();
    }

    [Fact]
    public async Task Workshop_UnknownCode_SaysSo()
    {
        var page = await app.SharedPageAsync();
        try
        {
            // Within the app, as a typed link would land.
            await page.EvaluateAsync("() => Blazor.navigateTo('/r/ZZZZZZ')");
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No workshop room has that code.");
        }
        finally
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
        }
    }
}
