using System.Text.Json;
using Microsoft.Playwright;

namespace FlowTrace.EndToEnd.Tests;

/// <summary>The hellos' bytes in the page, field by field, checked against the kept trace's own decoding.</summary>
[Collection(AppCollection.Name)]
public sealed class BytesPageTests(AppFixture app)
{
    [Fact]
    public async Task TlsDetails_HealthySite_ClientHelloByteByByteAsTheTraceDecodedIt()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        var tls = AppFixture.DetailsOfType(await AppFixture.KeptEventsAsync(page), "tlsHandshake").Single();
        var fields = Flatten(tls.GetProperty("clientHelloFields")).ToList();

        var step = page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = "TLS handshake", Exact = true });
        await step.Locator("details.step-details > summary").ClickAsync();
        var hello = step.Locator("details.byte-fields[data-message='ClientHello']");
        await hello.Locator("summary").ClickAsync();
        // A row per field the trace decoded, in the same order, with the same names and values.
        var rows = hello.Locator("tr.field");
        await Assertions.Expect(rows).ToHaveCountAsync(fields.Count);
        Assert.Equal(fields.Select(f => f.GetProperty("name").GetString()), await rows.Locator("td.name").AllTextContentsAsync());
        // The record header's bytes as sent: a handshake record (0x16) of TLS's frozen version.
        await Assertions.Expect(rows.First.Locator("td.hex")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^16 03 0[13] "));
        await Assertions.Expect(hello.Locator("tr[data-field='Server name'] td.value")).ToContainTextAsync(tls.GetProperty("serverName").GetString()!);
        await Assertions.Expect(hello.Locator("tr[data-field='Extension: key_share'] td.value")).ToContainTextAsync("x25519");
        await AppFixture.ScreenshotAsync(page, nameof(TlsDetails_HealthySite_ClientHelloByteByByteAsTheTraceDecodedIt));
        await hello.Locator("summary").ClickAsync();
        await step.Locator("details.step-details > summary").ClickAsync();

        // The request head too, field by field: the request line's parts, then a row per header as sent.
        var request = AppFixture.DetailsOfType(await AppFixture.KeptEventsAsync(page), "httpRequest").Single();
        var requestStep = page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = "HTTP request", Exact = true });
        await requestStep.Locator("details.step-details > summary").ClickAsync();
        var head = requestStep.Locator("details.byte-fields[data-message='Request head']");
        await head.Locator("summary").ClickAsync();
        await Assertions.Expect(head.Locator("tr.field").First.Locator("td.hex")).ToHaveTextAsync("47 45 54");
        var headers = request.GetProperty("headers").EnumerateArray().ToList();
        await Assertions.Expect(head.Locator("tr.field[data-field^='Header: '] td.name")).ToHaveTextAsync(headers.Select(h => $"Header: {h.GetProperty("name").GetString()}").ToArray());
        await head.Locator("summary").ClickAsync();
        await requestStep.Locator("details.step-details > summary").ClickAsync();
    }

    [Fact]
    public async Task DnsDetails_HealthySite_QueryAndAnswerByteByByteAsTheTraceDecodedThem()
    {
        var page = await app.SharedPageAsync();
        await AppFixture.TraceLabSiteAsync(page, "A healthy HTTPS site");
        var query = AppFixture.DetailsOfType(await AppFixture.KeptEventsAsync(page), "dnsQuery").First();
        var title = $"DNS query ({query.GetProperty("queryType").GetString()} {query.GetProperty("name").GetString()})";
        var fields = Flatten(query.GetProperty("queryFields")).ToList();

        var step = page.Locator("ol.steps").First.GetByRole(AriaRole.Listitem, new() { Name = "DNS lookup", Exact = true });
        await step.Locator("details.step-details > summary").ClickAsync();
        var asked = step.Locator($"details.byte-fields[data-message='{title}']");
        await asked.Locator("summary").ClickAsync();
        var rows = asked.Locator("tr.field");
        await Assertions.Expect(rows).ToHaveCountAsync(fields.Count);
        Assert.Equal(fields.Select(f => f.GetProperty("name").GetString()), await rows.Locator("td.name").AllTextContentsAsync());
        // The ID the trace chose, as the first two bytes on the wire.
        var id = Convert.FromBase64String(query.GetProperty("query").GetString()!)[..2];
        await Assertions.Expect(rows.First.Locator("td.hex")).ToHaveTextAsync($"{id[0]:x2} {id[1]:x2}");
        await Assertions.Expect(asked.Locator("tr[data-field='Question'] td.value")).ToContainTextAsync(query.GetProperty("name").GetString()!);

        var answered = step.Locator($"details.byte-fields[data-message='{title.Replace("DNS query", "DNS answer", StringComparison.Ordinal)}']");
        await answered.Locator("summary").ClickAsync();
        await Assertions.Expect(answered.Locator("tr.field[data-field='Answer records'] td.value")).ToContainTextAsync(query.GetProperty("answers").GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AppFixture.ScreenshotAsync(page, nameof(DnsDetails_HealthySite_QueryAndAnswerByteByByteAsTheTraceDecodedThem));
        await answered.Locator("summary").ClickAsync();
        await asked.Locator("summary").ClickAsync();
        await step.Locator("details.step-details > summary").ClickAsync();
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement fields)
    {
        foreach (var field in fields.EnumerateArray())
        {
            yield return field;
            foreach (var inner in Flatten(field.GetProperty("fields")))
                yield return inner;
        }
    }
}
