using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace FlowTrace.Bench;

/// <summary>What the suites that drive Chromium share: the browser as every suite launches it, the tie between this
/// process' stopwatch and the page's wall clock, and the SignalR messages a page received.</summary>
public static class BenchBrowser
{
    /// <summary>Debian's Chromium, headless, without the background work that would land in the measurements.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Converts this process' stopwatch readings (the server's stamps) to the epoch milliseconds a page stamps
    /// with: both are the system's clocks, tied at the moment of the call.</summary>
    public static Func<long, double> StopwatchToEpoch()
    {
        var (wall, stamp) = (DateTime.UtcNow, Stopwatch.GetTimestamp());
        return at => (wall - DateTime.UnixEpoch).TotalMilliseconds + (at - stamp) * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>Every SignalR JSON message in the WebSocket frames a page stamped (<c>[epoch ms, text]</c> pairs; the
    /// records of a frame end in 0x1e), with the time its frame arrived.</summary>
    public static IEnumerable<(double At, JsonElement Message)> Messages(JsonElement[][] frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (var frame in frames)
        {
            foreach (var record in frame[1].GetString()!.Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
            {
                using var message = JsonDocument.Parse(record);
                yield return (frame[0].GetDouble(), message.RootElement.Clone());
            }
        }
    }
}
