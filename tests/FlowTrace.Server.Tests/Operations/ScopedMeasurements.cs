using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FlowTrace.Server.Tests.Operations;

/// <summary>Listens to the instruments one server's <see cref="IMeterFactory"/> made (a meter's scope is its factory),
/// so that other servers in the same test process do not count.</summary>
public sealed class ScopedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _measured = new();

    public ScopedMeasurements(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measured.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of a counter's measurements since this listener started, for those carrying <paramref name="tag"/>.</summary>
    public long Sum(string name, (string Key, string Value)? tag = null) =>
        _measured.Where(m => m.Name == name && (tag is not { } t || m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value)))).Sum(m => m.Value);

    /// <summary>An observable instrument's value now.</summary>
    public long Observe(string name)
    {
        var before = _measured.Count;
        _listener.RecordObservableInstruments();
        return _measured.Skip(before).Where(m => m.Name == name).Select(m => m.Value).DefaultIfEmpty(-1).Last();
    }

    public void Dispose() => _listener.Dispose();
}
