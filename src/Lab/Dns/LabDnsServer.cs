using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Lab.Dns;

/// <summary>An authoritative DNS server for the lab zone, on UDP and TCP, loopback only.</summary>
public sealed class LabDnsServer : IAsyncDisposable
{
    private readonly LabZone _zone;
    private readonly UdpClient _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    /// <summary>Starts serving <paramref name="zone"/> on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    public LabDnsServer(LabZone zone, int port)
    {
        _zone = zone;
        // UDP and TCP share one port number; when the system picks it, its TCP half may be taken: pick again.
        for (var attempt = 0; ; attempt++)
        {
            _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            var candidate = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
            _tcp = new TcpListener(IPAddress.Loopback, candidate);
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
        EndPoint = new IPEndPoint(IPAddress.Loopback, bound);
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
                var answer = Hostile.HostileDns.UdpReply(query.Buffer, _zone) ?? DnsMessage.Answer(query.Buffer, _zone);
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
                if (Hostile.HostileDns.WithholdTcp(query))
                    return;
                var answer = Hostile.HostileDns.UdpReply(query, _zone) is { Length: > 0 } hostile && !Hostile.HostileDns.WithholdTcp(query) ? hostile : DnsMessage.Answer(query, _zone);
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
