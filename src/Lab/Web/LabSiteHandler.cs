using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FlowTrace.Lab.Web;

/// <summary>What each lab name answers over HTTP(S), chosen by the Host header as a virtual-hosting server does.</summary>
internal sealed class LabSiteHandler(string zone, Func<string, string> urlOf, TimeProvider time)
{
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
                response.ContentType = "text/plain";
                for (var i = 1; i <= 8; i++)
                {
                    await response.WriteAsync($"chunk {i} of 8\n", cancel).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancel).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancel).ConfigureAwait(false);
                }

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
