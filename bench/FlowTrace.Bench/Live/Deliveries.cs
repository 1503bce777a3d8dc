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
    private readonly List<(long Serialised, long Parsed)> _stamps = [];

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
                _stamps.Add((serialised.Value, parsed.Value));
            }
        }
    }

    /// <summary>
    /// Splits the transport at the first server-to-client packet a capture saw after each item was serialised:
    /// the server's send path (serialised → on the wire) and the client's receive path (on the wire → parsed).
    /// </summary>
    /// <param name="serverPackets">Capture times of the server's data packets, ascending, on the <paramref name="clock"/>'s scale.</param>
    /// <param name="clock">Converts a stopwatch timestamp to the capture's time scale, in microseconds.</param>
    public (double SendMedian, double ReceiveMedian) WireSplit(IReadOnlyList<double> serverPackets, Func<long, double> clock)
    {
        ArgumentNullException.ThrowIfNull(serverPackets);
        ArgumentNullException.ThrowIfNull(clock);
        var send = new List<double>();
        var receive = new List<double>();
        foreach (var (serialised, parsed) in _stamps)
        {
            var from = clock(serialised);
            var to = clock(parsed);
            var index = LowerBound(serverPackets, from);
            if (index == serverPackets.Count || serverPackets[index] > to)
                continue; // no packet between the two stamps: the clocks disagree, so this item says nothing
            send.Add(serverPackets[index] - from);
            receive.Add(to - serverPackets[index]);
        }

        return (Stats.Median(send), Stats.Median(receive));
    }

    private static int LowerBound(IReadOnlyList<double> sorted, double value)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] < value)
                low = middle + 1;
            else
                high = middle;
        }

        return low;
    }

    private static double Microseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMicroseconds;
}
