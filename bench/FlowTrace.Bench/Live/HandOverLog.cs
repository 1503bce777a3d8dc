using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Bench.Live;

/// <summary>
/// When each stream item (trace event or echo message) was handed to SignalR, by run id and sequence, and when the
/// same object was serialised on the server and parsed in the client. Client and server share this process, so all
/// stamps are on one clock.
/// </summary>
public sealed class HandOverLog(bool keepTraces)
{
    private readonly ConcurrentDictionary<(string Run, int Sequence), (long At, object? Item)> _handedOver = new();
    private readonly ConcurrentDictionary<string, List<(TraceEvent Event, long At)>> _traces = new();

    /// <summary>Serialisation stamps by item object, set by the server's <see cref="StampingProtocol"/>.</summary>
    public ConditionalWeakTable<object, StrongBox<long>> Serialised { get; } = new();

    /// <summary>Parse stamps by item object, set by the client's <see cref="StampingProtocol"/>.</summary>
    public ConditionalWeakTable<object, StrongBox<long>> Parsed { get; } = new();

    /// <summary>Notes that <paramref name="item"/> of <paramref name="run"/> is being handed to SignalR now.</summary>
    /// <remarks>The item itself is kept only for stage stamps; under load, keeping every event would cost the run memory and GC time.</remarks>
    public void HandOver(string run, int sequence, object item) => _handedOver[(run, sequence)] = (Stopwatch.GetTimestamp(), keepTraces ? item : null);

    /// <summary>Notes a trace event as it leaves the tracer, keeping it for replay if asked to.</summary>
    public void HandOver(string run, TraceEvent traceEvent)
    {
        HandOver(run, traceEvent.Sequence, traceEvent);
        if (keepTraces)
            _traces.GetOrAdd(run, _ => []).Add((traceEvent, Stopwatch.GetTimestamp()));
    }

    /// <summary>When the item was handed over, if it was.</summary>
    public long? Get(string run, int sequence) => GetHandOver(run, sequence)?.At;

    /// <summary>The item handed over and when, if it was.</summary>
    public (long At, object? Item)? GetHandOver(string run, int sequence) => _handedOver.TryGetValue((run, sequence), out var h) ? h : null;

    /// <summary>The events of a traced run in the order and at the times the tracer produced them.</summary>
    public IReadOnlyList<(TraceEvent Event, long At)> Trace(string run) => _traces[run];
}
