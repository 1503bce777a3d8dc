using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Lab.Dns;

/// <summary>An authoritative DNS server for the lab zone, on UDP and TCP, loopback only.</summary>
public sealed class LabDnsServer : IAsyncDisposable
{
    private readonly Func<byte[], byte[]> _answer;
    private readonly Func<byte[], byte[]?> _tcpAnswer;
    private readonly UdpClient _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    /// <summary>Starts serving <paramref name="zone"/> on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    public LabDnsServer(LabZone zone, int port)
        : this(IPAddress.Loopback, port,
            query => Hostile.HostileDns.UdpReply(query, zone) ?? DnsMessage.Answer(query, zone),
            query => Hostile.HostileDns.WithholdTcp(query) ? null
                : Hostile.HostileDns.UdpReply(query, zone) is { Length: > 0 } hostile ? hostile : DnsMessage.Answer(query, zone))
    {
    }

    /// <summary>Serves a delegating zone (the root, a top-level domain) on <paramref name="address"/>:<paramref name="port"/>.</summary>
    internal LabDnsServer(DelegatingZone zone, IPAddress address, int port)
        : this(address, port, query => DnsMessage.Refer(query, zone), query => DnsMessage.Refer(query, zone))
    {
    }

    /// <param name="address">Where to listen.</param>
    /// <param name="port">The port, 0 for any free one.</param>
    /// <param name="answer">The answer to a query over UDP (empty: stay silent).</param>
    /// <param name="tcpAnswer">The answer to a query over TCP (null: read it and close without answering).</param>
    private LabDnsServer(IPAddress address, int port, Func<byte[], byte[]> answer, Func<byte[], byte[]?> tcpAnswer)
    {
        _answer = answer;
        _tcpAnswer = tcpAnswer;
        // UDP and TCP share one port number; when the system picks it, its TCP half may be taken: pick again.
        for (var attempt = 0; ; attempt++)
        {
            _udp = new UdpClient(new IPEndPoint(address, port));
            var candidate = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
            _tcp = new TcpListener(address, candidate);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (port == 0 && attempt < 20)
            {
                _udp.Dispose();
            }
        }

        var bound = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        EndPoint = new IPEndPoint(address, bound);
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    /// <summary>Where the server listens (UDP and TCP share the port).</summary>
    public IPEndPoint EndPoint { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Stop();
        await Task.WhenAll(_udpLoop, _tcpLoop).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task UdpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var query = await _udp.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                var answer = _answer(query.Buffer);
                await _udp.SendAsync(answer, query.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A client went away (ICMP port unreachable): keep serving the others.
            }
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _tcp.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeTcpAsync(client));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    private async Task ServeTcpAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                var stream = client.GetStream();
                var lengthPrefix = new byte[2];
                await stream.ReadExactlyAsync(lengthPrefix, timeout.Token).ConfigureAwait(false);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthPrefix)];
                await stream.ReadExactlyAsync(query, timeout.Token).ConfigureAwait(false);
                if (_tcpAnswer(query) is not { } answer)
                    return;
                var framed = new byte[answer.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                answer.CopyTo(framed, 2);
                await stream.WriteAsync(framed, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException)
            {
                // One bad client must not stop the server.
            }
        }
    }
}
