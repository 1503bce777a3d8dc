using System.Diagnostics;
using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>tshark capturing loopback traffic of some ports; after <see cref="StopAsync"/> the packets can be read.</summary>
public sealed class PacketCapture : IAsyncDisposable
{
    private readonly StartedProcess _tshark;
    private readonly string _file;

    private PacketCapture(StartedProcess tshark, string file)
    {
        _tshark = tshark;
        _file = file;
    }

    /// <summary>The capture file (complete once <see cref="StopAsync"/> returned), for tshark to dissect further.</summary>
    public string File => _file;

    /// <summary>Starts capturing TCP traffic to or from <paramref name="ports"/> on lo and waits until tshark writes.</summary>
    public static Task<PacketCapture> StartAsync(string directory, params int[] ports) =>
        StartWithFilterAsync(directory, string.Join(" or ", ports.Select(p => $"tcp port {p}")));

    /// <summary>Starts capturing the traffic on lo that a capture <paramref name="filter"/> (pcap's syntax) selects.</summary>
    public static async Task<PacketCapture> StartWithFilterAsync(string directory, string filter)
    {
        var file = Path.Combine(directory, $"capture-{Guid.NewGuid():N}.pcapng");
        var tshark = ExternalProcess.Start("tshark", ["-i", "lo", "-f", filter, "-w", file, "-q"]);
        for (var i = 0; i < 100 && (!System.IO.File.Exists(file) || new FileInfo(file).Length == 0); i++)
            await Task.Delay(100);
        if (!System.IO.File.Exists(file))
            throw new InvalidOperationException($"tshark did not start capturing: {tshark.Log}");
        await Task.Delay(500);
        return new PacketCapture(tshark, file);
    }

    /// <summary>Stops the capture (SIGINT, so the file is complete) and returns its TCP packets.</summary>
    public async Task<IReadOnlyList<Packet>> StopAsync()
    {
        await Task.Delay(300);
        await ExternalProcess.RunAsync("kill", ["-INT", _tshark.Process.Id.ToString(CultureInfo.InvariantCulture)]);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await _tshark.Process.WaitForExitAsync(wait.Token);
        var (_, fields, _) = await ExternalProcess.RunAsync("tshark",
            ["-r", _file, "-Y", "tcp", "-T", "fields", "-E", "separator=,", "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.len"], timeoutSeconds: 120);
        return [.. fields.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(','))
            .Select(f => new Packet(decimal.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], f[3] is "1" or "True", f[4] is "1" or "True", int.Parse(f[5], CultureInfo.InvariantCulture)))];
    }

    public ValueTask DisposeAsync()
    {
        _tshark.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One captured TCP segment.</summary>
public sealed record Packet(decimal Time, string Src, string Dst, bool Syn, bool Ack, int Length);

/// <summary>Intervals of one connection as the wire saw them.</summary>
public static class WireTimings
{
    /// <summary>SYN → SYN/ACK of the connection from <paramref name="clientPort"/>.</summary>
    public static TimeSpan TcpHandshake(IReadOnlyList<Packet> packets, string clientPort)
    {
        var flow = Flow(packets, clientPort);
        return Micro(flow.First(p => p.Src != clientPort && p.Syn && p.Ack).Time - flow.First(p => p.Src == clientPort && p.Syn && !p.Ack).Time);
    }

    /// <summary>Sum over the handshake's round trips of: client flight leaves → last server packet before the next client flight.</summary>
    public static TimeSpan TlsNetwork(IReadOnlyList<Packet> packets, string clientPort, int roundTrips)
    {
        var flow = Flow(packets, clientPort);
        var clientFlights = flow.Where(p => p.Src == clientPort && p.Length > 0).Select(p => p.Time).ToList();
        var total = TimeSpan.Zero;
        for (var i = 0; i < roundTrips; i++)
        {
            var serverEnd = flow.Last(p => p.Src != clientPort && p.Length > 0 && p.Time > clientFlights[i] && p.Time <= clientFlights[i + 1]).Time;
            total += Micro(serverEnd - clientFlights[i]);
        }

        return total;
    }

    /// <summary>The request (the client's payload packet after the handshake's) → the first server payload packet after it.</summary>
    public static TimeSpan TimeToFirstByte(IReadOnlyList<Packet> packets, string clientPort, int handshakeFlights)
    {
        var flow = Flow(packets, clientPort);
        var request = flow.Where(p => p.Src == clientPort && p.Length > 0).Skip(handshakeFlights).First().Time;
        var response = flow.First(p => p.Src != clientPort && p.Length > 0 && p.Time > request).Time;
        return Micro(response - request);
    }

    private static List<Packet> Flow(IReadOnlyList<Packet> packets, string clientPort) =>
        [.. packets.Where(p => p.Src == clientPort || p.Dst == clientPort)];

    private static TimeSpan Micro(decimal seconds) => TimeSpan.FromMicroseconds((double)(seconds * 1_000_000m));
}
