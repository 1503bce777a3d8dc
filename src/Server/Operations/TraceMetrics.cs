using System.Diagnostics.Metrics;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Server.Operations;

/// <summary>
/// The server's own instruments, on the meter <see cref="MeterName"/>: traces started and how they ended (completed,
/// failed by failure code, cancelled), and the workshop rooms open with their attendees. Hub connections are ASP.NET
/// Core's own (<c>signalr.server.active_connections</c> on <c>Microsoft.AspNetCore.Http.Connections</c>).
/// </summary>
public sealed class TraceMetrics
{
    /// <summary>The meter's name, for an exporter to listen to.</summary>
    public const string MeterName = "FlowTrace.Server";

    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _cancelled;

    /// <param name="meters">The host's meter factory (the meter lives as long as the host).</param>
    /// <param name="rooms">Reads the open rooms and their attendees when an exporter collects.</param>
    public TraceMetrics(IMeterFactory meters, IRoomCounts rooms)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(rooms);
        var meter = meters.Create(MeterName);
        _started = meter.CreateCounter<long>("flowtrace.traces.started", "{trace}", "Traces started (live, through the API, each run of a repeat).");
        _completed = meter.CreateCounter<long>("flowtrace.traces.completed", "{trace}", "Traces that reached their end with every step done.");
        _failed = meter.CreateCounter<long>("flowtrace.traces.failed", "{trace}", "Traces that ended with a failed step, by the failure's code.");
        _cancelled = meter.CreateCounter<long>("flowtrace.traces.cancelled", "{trace}", "Traces stopped before their end (the client went away).");
        meter.CreateObservableGauge("flowtrace.rooms.open", () => (long)rooms.OpenRooms, "{room}", "Workshop rooms open on this instance.");
        meter.CreateObservableGauge("flowtrace.rooms.attendees", () => (long)rooms.Attendees, "{attendee}", "Attendees connected to this instance's rooms.");
    }

    /// <summary>A trace started.</summary>
    public void Started() => _started.Add(1);

    /// <summary>A trace ended with <paramref name="summary"/>, or without one (cancelled).</summary>
    public void Ended(TraceSummary? summary)
    {
        if (summary is null)
            _cancelled.Add(1);
        else if (summary.Succeeded)
            _completed.Add(1);
        else
            _failed.Add(1, new KeyValuePair<string, object?>("failure.code", summary.Failure?.Code ?? "unknown"));
    }
}
