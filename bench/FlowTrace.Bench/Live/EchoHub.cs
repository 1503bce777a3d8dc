using System.Diagnostics;
using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using Microsoft.AspNetCore.SignalR;

namespace FlowTrace.Bench.Live;

/// <summary>The reference: a hub that streams messages and does nothing else, plus replays of a recorded trace.</summary>
public sealed class EchoHub(HandOverLog log) : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/echo";

    /// <summary><paramref name="count"/> strings of <paramref name="size"/> characters, one per millisecond.</summary>
    public async IAsyncEnumerable<string> Stream(string run, int count, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(1, cancellationToken);
            // A new string each time, so that its serialisation and parse stamps are its own.
            var payload = new string('x', size);
            log.HandOver(run, i, payload);
            yield return payload;
        }
    }

    /// <summary>
    /// The very event objects a recorded trace produced: one per millisecond (the payload's own cost), or with the
    /// trace's own gaps (payload and burst pattern, without a trace running beside it).
    /// </summary>
    public async IAsyncEnumerable<TraceEvent> Replay(string recorded, string run, bool keepGaps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var traceEvent in Pace(recorded, keepGaps, cancellationToken))
        {
            log.HandOver(run, traceEvent.Sequence, traceEvent);
            yield return traceEvent;
        }
    }

    /// <summary>Strings as long as the recorded trace's events are in JSON, with the trace's own gaps: its burst pattern alone.</summary>
    public async IAsyncEnumerable<string> ReplayPattern(string recorded, string run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = 0;
        await foreach (var traceEvent in Pace(recorded, keepGaps: true, cancellationToken))
        {
            var payload = new string('x', TraceJson.Serialize(traceEvent).Length);
            log.HandOver(run, index++, payload);
            yield return payload;
        }
    }

    /// <summary>Gaps under a millisecond are below the timer's resolution: those events go out at once.</summary>
    private async IAsyncEnumerable<TraceEvent> Pace(string recorded, bool keepGaps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = log.Trace(recorded);
        var start = Stopwatch.GetTimestamp();
        foreach (var (traceEvent, at) in events)
        {
            var wait = keepGaps ? Stopwatch.GetElapsedTime(events[0].At, at) - Stopwatch.GetElapsedTime(start) : TimeSpan.FromMilliseconds(1);
            if (wait >= TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait, cancellationToken);
            yield return traceEvent;
        }
    }
}
