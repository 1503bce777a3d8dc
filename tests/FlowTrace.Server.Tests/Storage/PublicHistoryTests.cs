using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Storage;
using FlowTrace.Server.Storage;
using FlowTrace.Testing;

namespace FlowTrace.Server.Tests.Storage;

/// <summary>A public server's history: each browser (its client id cookie) sees and deletes only its own traces, while a
/// permalink stays readable by whoever has its id.</summary>
public sealed class PublicHistoryTests(LimitedServerFixture server) : IClassFixture<LimitedServerFixture>
{
    /// <summary>A browser of its own: its own cookies, so its own client id.</summary>
    private HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };

    private static async Task<StoredTraceList> HistoryAsync(HttpClient browser) =>
        (await browser.GetFromJsonAsync<StoredTraceList>("/api/traces?pageSize=200", TraceJson.Options))!;

    [Fact]
    public async Task History_TwoBrowsers_EachListsOnlyItsOwnButPermalinksAreReadable()
    {
        using var alice = Browser();
        using var bob = Browser();
        // Each browser's first request gives it its id (the page's first load does the same).
        await HistoryAsync(alice);
        await HistoryAsync(bob);
        var url = await ServerClient.LabUrlAsync(server.BaseAddress, "www");
        using var posted = await alice.PostAsync("/api/traces", new StringContent($$"""{"url": "{{url}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<TraceStoredResult>(TraceJson.Options))!.Id!;

        Assert.Contains(id, (await HistoryAsync(alice)).Items.Select(i => i.Id));
        var bobs = await HistoryAsync(bob);
        Assert.DoesNotContain(id, bobs.Items.Select(i => i.Id));
        Assert.Equal(0, bobs.Total);
        // A client that sends no cookie at all is nobody's browser: it lists nothing.
        using (var anonymous = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress })
            Assert.Equal(0, (await HistoryAsync(anonymous)).Total);

        // The permalink is for sharing: Bob may read it, not delete it.
        Assert.NotNull(await bob.GetFromJsonAsync<StoredTrace>($"/api/traces/{id}", TraceJson.Options));
        using (var refused = await bob.DeleteAsync($"/api/traces/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using (var deleted = await alice.DeleteAsync($"/api/traces/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await bob.GetAsync($"/api/traces/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ClientIdCookie_FirstRequest_RandomHttpOnlyAndKept()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        using var first = await browser.GetAsync("/api/info");
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(ClientIds.Cookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(TraceIds.IsWellFormed(handler.CookieContainer.GetCookies(server.BaseAddress)[ClientIds.Cookie]!.Value));
        using var second = await browser.GetAsync("/api/info");
        Assert.False(second.Headers.Contains("Set-Cookie"));
    }
}
