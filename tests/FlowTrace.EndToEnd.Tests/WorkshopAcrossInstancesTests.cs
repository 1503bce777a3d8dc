using System.Text.RegularExpressions;
using FlowTrace.Testing;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>A workshop on two server instances sharing a real redis-server and a real PostgreSQL: the presenter's browser
/// on one, an attendee's on the other (joining at the start and again late), and Redis killed and started again (empty) in the
/// middle of the trace.</summary>
[Collection(AppCollection.Name)]
public sealed class WorkshopAcrossInstancesTests(AppFixture app) : IAsyncLifetime
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("flowtrace-two-instances-");
    private RedisServer _redis = null!;
    private PostgresServer _postgres = null!;
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _postgres = await PostgresServer.StartAsync();
        string[] shared = [$"--ConnectionStrings:Redis={_redis.ConnectionString}", $"--ConnectionStrings:Traces={_postgres.ConnectionString()}"];
        _a = await ServerProcess.StartAsync([.. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(_data.FullName), .. shared]);
        _b = await ServerProcess.StartAsync([.. ServerArguments.LabOnFreePorts, .. ServerArguments.StorageIn(_data.FullName), .. shared]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
        _data.Delete(recursive: true);
    }

    private static ILocator Step(IPage page, string name) =>
        page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = name, Exact = true });

    [Fact]
    public async Task Workshop_PresenterOnOneInstanceAttendeesOnAnother_FollowAnswerAndCatchUpAfterRedisRestart()
    {
        var presenter = await app.OpenAtAsync("", page => page.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }), server: _a.BaseAddress);
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Start a workshop" }).ClickAsync();
        await Assertions.Expect(presenter).ToHaveURLAsync(new Regex("/r/[A-Z2-9]{6}$"));
        var code = (await presenter.Locator(".join-code").TextContentAsync())!;
        var attendee = await app.OpenAtAsync($"r/{code}", page => page.GetByText("You follow the presenter"), server: _b.BaseAddress);

        await AppFixture.OpenOptionsAsync(presenter);
        await presenter.GetByLabel("Step mode (pause after each step)").CheckAsync();
        await presenter.GetByRole(AriaRole.Button, new() { Name = "A healthy HTTPS site" }).ClickAsync();
        await Assertions.Expect(Step(attendee, "DNS lookup")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        var next = presenter.GetByRole(AriaRole.Button, new() { Name = "Next step" });
        await next.ClickAsync();
        await Assertions.Expect(Step(attendee, "TCP connection")).ToHaveClassAsync(new Regex(@"\bdone\b"));

        // A question asked on one instance, answered on the other, the tally back on the first.
        await presenter.GetByRole(AriaRole.Button, new() { Name = "How many round trips will the TLS handshake take?" }).ClickAsync();
        var question = attendee.GetByRole(AriaRole.Region, new() { Name = "Question to the room" });
        await question.GetByRole(AriaRole.Button, new() { Name = "1", Exact = true }).ClickAsync();
        await Assertions.Expect(presenter.Locator(".room-questions .answers")).ToHaveTextAsync("1 answer(s)");
        await next.ClickAsync();
        await Assertions.Expect(Step(attendee, "TLS handshake")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await presenter.GetByRole(AriaRole.Button, new() { Name = "Reveal" }).ClickAsync();
        await Assertions.Expect(question.Locator(".reveal")).ToContainTextAsync("Right answer: 1. The handshake took 1 round trip");

        // Redis goes away: the attendee is told; the presenter goes on to the end of the trace.
        await _redis.StopAsync();
        await Assertions.Expect(attendee.Locator("p.behind")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        for (var i = 0; i < 10 && await presenter.Locator(".status p.ok").CountAsync() == 0; i++)
        {
            await next.Or(presenter.Locator(".status p.ok")).First.WaitForAsync();
            if (await next.IsVisibleAsync())
                await next.ClickAsync();
        }

        await Assertions.Expect(presenter.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
        await AppFixture.ScreenshotAsync(attendee, nameof(Workshop_PresenterOnOneInstanceAttendeesOnAnother_FollowAnswerAndCatchUpAfterRedisRestart) + "-behind");

        // Redis returns (empty): the attendee catches up with the whole trace, nothing missing.
        await _redis.StartAgainAsync();
        await Assertions.Expect(attendee.Locator(".status p.ok")).ToContainTextAsync("Trace completed", new() { Timeout = 60_000 });
        await Assertions.Expect(attendee.Locator("p.behind")).ToHaveCountAsync(0);
        foreach (var name in new[] { "DNS lookup", "TCP connection", "TLS handshake", "HTTP request", "Server processing", "HTTP response", "Connection handling" })
            await Assertions.Expect(Step(attendee, name)).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await AppFixture.ScreenshotAsync(attendee, nameof(Workshop_PresenterOnOneInstanceAttendeesOnAnother_FollowAnswerAndCatchUpAfterRedisRestart) + "-caught-up");

        // The attendee leaves and joins again, late, on the other instance: a join of its own (the room page is made anew
        // and asks for the room's snapshot, without a page load of its own), with the whole trace and the kept one listed.
        await attendee.GetByRole(AriaRole.Link, new() { Name = "Trace a URL" }).ClickAsync();
        await Assertions.Expect(attendee.GetByText("You follow the presenter")).ToHaveCountAsync(0);
        await attendee.EvaluateAsync("code => Blazor.navigateTo('/r/' + code)", code);
        await Assertions.Expect(attendee.GetByText("You follow the presenter")).ToBeVisibleAsync();
        await Assertions.Expect(attendee.Locator(".status p.ok")).ToContainTextAsync("Trace completed");
        await Assertions.Expect(Step(attendee, "Connection handling")).ToHaveClassAsync(new Regex(@"\bdone\b"));
        await Assertions.Expect(attendee.GetByRole(AriaRole.Region, new() { Name = "The room's traces" }).GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await presenter.Context.CloseAsync();
        await attendee.Context.CloseAsync();
    }
}
