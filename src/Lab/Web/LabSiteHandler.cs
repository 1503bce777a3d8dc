using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FlowTrace.Lab.Web;

/// <summary>What each lab name answers over HTTP(S), chosen by the Host header as a virtual-hosting server does.</summary>
internal sealed class LabSiteHandler(string zone, Func<string, string> urlOf, TimeProvider time)
{
    private const int MaxChunks = 10_000;

    /// <summary>How many large headers the h2-big-headers site sends.</summary>
    public const int BigHeaderCount = 30;

    private static bool TryQuery(HttpContext context, string name, int fallback, int min, int max, out int value)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var host = context.Request.Host.Host.TrimEnd('.');
        var label = host.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase) ? host[..^(zone.Length + 1)] : host;
        var response = context.Response;
        response.Headers["X-Lab-Site"] = label;
        var cancel = context.RequestAborted;
        switch (label)
        {
            case "redirect" when context.Request.Path == "/":
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = "/moved";
                break;
            case "redirect" when context.Request.Path == "/moved":
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = urlOf("www");
                break;
            case "metadata":
                // A redirect to the cloud metadata address: a server in public mode must refuse to follow it.
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = "http://169.254.169.254/latest/meta-data/";
                break;
            case "hostile-text":
                response.Headers["X-Hostile"] = "<script>window.__flowtraceXss = 1</script><img src=x onerror=\"window.__flowtraceXss = 2\">";
                response.ContentType = "text/html";
                await response.WriteAsync("<script>window.__flowtraceXss = 3</script>\n", cancel).ConfigureAwait(false);
                break;
            case "slow":
                var started = time.GetTimestamp();
                await Task.Delay(TimeSpan.FromMilliseconds(400), time, cancel).ConfigureAwait(false);
                var worked = time.GetElapsedTime(started).TotalMilliseconds;
                response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"db;dur={worked * 0.75:0.0};desc=\"Simulated query\", app;dur={worked:0.0};desc=\"Total work\"");
                await response.WriteAsync("This answer took the server about 400 ms to prepare.\n", cancel).ConfigureAwait(false);
                break;
            case "stream":
                // ?chunks=N&every=MS shapes the stream (a long one shows how a page copes with thousands of events).
                if (!TryQuery(context, "chunks", 8, 1, MaxChunks, out var chunks) || !TryQuery(context, "every", 100, 0, 1000, out var every))
                {
                    response.StatusCode = StatusCodes.Status400BadRequest;
                    await response.WriteAsync($"chunks must be 1 to {MaxChunks} and every 0 to 1000 (milliseconds).\n", cancel).ConfigureAwait(false);
                    break;
                }

                response.ContentType = "text/plain";
                for (var i = 1; i <= chunks; i++)
                {
                    await response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"chunk {i} of {chunks}\n"), cancel).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancel).ConfigureAwait(false);
                    if (every > 0)
                        await Task.Delay(TimeSpan.FromMilliseconds(every), time, cancel).ConfigureAwait(false);
                }

                break;
            case "h2-big-headers":
                // About 30 KB of headers, nearly two frames' worth: in HTTP/2 the block goes on in CONTINUATION frames.
                for (var i = 1; i <= BigHeaderCount; i++)
                    response.Headers[string.Create(CultureInfo.InvariantCulture, $"x-lab-filler-{i:00}")] = string.Concat(Enumerable.Range(0, 80).Select(j => string.Create(CultureInfo.InvariantCulture, $"{i:00}{j:00}-{(i * 7919 + j * 104729) % 1_000_003:x6}.")));
                await response.WriteAsync("The headers of this answer are larger than one HTTP/2 frame.\n", cancel).ConfigureAwait(false);
                break;
            case "close":
                response.Headers.Connection = "close";
                await response.WriteAsync("The server closes the connection after this response.\n", cancel).ConfigureAwait(false);
                break;
            case "error":
                response.StatusCode = StatusCodes.Status500InternalServerError;
                await response.WriteAsync("Something broke on the server (on purpose).\n", cancel).ConfigureAwait(false);
                break;
            case "api":
                response.ContentType = "application/json";
                await response.WriteAsync("{\"site\":\"api\",\"ok\":true}\n", cancel).ConfigureAwait(false);
                break;
            default:
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync($"<!doctype html><title>{label}</title><p>Hello from the FlowTrace lab: {label}.{zone}</p>\n", cancel).ConfigureAwait(false);
                break;
        }
    }
}
