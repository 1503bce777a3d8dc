using System.Diagnostics;

namespace FlowTrace.Bench.Live;

/// <summary>
/// Latencies of one kind of stream, each split into the server's part (handed to SignalR → serialised), the
/// transport (serialised → parsed in the client) and the client's dispatch (parsed → delivered to the caller's loop).
/// </summary>
public sealed class Deliveries
{
    private readonly List<double> _total = [];
    private readonly List<double> _server = [];
    private readonly List<double> _transport = [];
    private readonly List<double> _client = [];

    /// <summary>Latency from hand-over to delivery, in microseconds.</summary>
    public IReadOnlyList<double> Total => _total;

    public double Median => Stats.Median(_total);

    public double ServerMedian => Stats.Median(_server);

    public double TransportMedian => Stats.Median(_transport);

    public double ClientMedian => Stats.Median(_client);

    /// <summary>
    /// Adds the arrivals of one stream. Call it as soon as the stream ends: a replay serialises the same objects
    /// again, which moves their serialisation stamps.
    /// </summary>
    public void Add(HandOverLog log, string run, IEnumerable<Arrival> arrivals)
    {
        foreach (var arrival in arrivals)
        {
            if (log.GetHandOver(run, arrival.Sequence) is not { } handedOver)
                continue;
            _total.Add(Microseconds(handedOver.At, arrival.At));
            if (handedOver.Item is { } item && log.Serialised.TryGetValue(item, out var serialised) && log.Parsed.TryGetValue(arrival.Item, out var parsed))
            {
                _server.Add(Microseconds(handedOver.At, serialised.Value));
                _transport.Add(Microseconds(serialised.Value, parsed.Value));
                _client.Add(Microseconds(parsed.Value, arrival.At));
            }
        }
    }

    private static double Microseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMicroseconds;
}
