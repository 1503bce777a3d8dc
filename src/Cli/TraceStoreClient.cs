using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Cli;

/// <summary>Keeps a trace on a FlowTrace server: its events as NDJSON to <c>POST /api/traces/import</c>, as the page's
/// drop zone sends a file.</summary>
internal static class TraceStoreClient
{
    /// <summary>What storing came to: the permalink, or why not.</summary>
    public sealed record Result(Uri? Permalink, string? Error);

    public static async Task<Result> StoreAsync(Uri server, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent(TraceJson.SerializeLines(events), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        try
        {
            using var response = await http.PostAsync(new Uri("api/traces/import", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            if (response.IsSuccessStatusCode && json.RootElement.TryGetProperty("permalink", out var permalink) && permalink.GetString() is { } path)
                return new Result(new Uri(server, path), null);
            var detail = json.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return new Result(null, $"{server} answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? "" : $": {detail}")}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new Result(null, $"{server} could not be reached or did not answer as a FlowTrace server: {e.Message}");
        }
    }
}
