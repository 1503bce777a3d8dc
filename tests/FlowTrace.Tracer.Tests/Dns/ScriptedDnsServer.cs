using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Tests.Dns;

/// <summary>A loopback DNS server that misbehaves on purpose: silent, SERVFAIL, or truncated over UDP.</summary>
internal sealed class ScriptedDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    public ScriptedDnsServer(DnsBehaviour behaviour)
    {
        Behaviour = behaviour;
        // UDP and TCP share one port number; the TCP half of a free UDP port can be taken, so try again then.
        for (var attempt = 0; ; attempt++)
        {
            _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            EndPoint = (IPEndPoint)_udp.Client.LocalEndPoint!;
            _tcp = new TcpListener(IPAddress.Loopback, EndPoint.Port);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (attempt < 20)
            {
                _udp.Dispose();
            }
        }

        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public DnsBehaviour Behaviour { get; }

    public IPEndPoint EndPoint { get; }

    public int TcpQueries { get; private set; }

    public int UdpQueries { get; private set; }

    /// <summary>The glue address of <see cref="DnsBehaviour.ReferToTestAgain"/>'s referral (default this server's).</summary>
    public IPAddress ReferralGlue { get; init; } = IPAddress.Loopback;

    /// <summary>Addresses answered to A queries, one per query in turn (the last one repeats); default 127.0.0.1.</summary>
    public IReadOnlyList<IPAddress> Answers { get; init; } = [IPAddress.Loopback];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Stop();
        try
        {
            await Task.WhenAll(_udpLoop, _tcpLoop);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task UdpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var query = await _udp.ReceiveAsync(_stop.Token);
            var address = Answers[Math.Min(UdpQueries, Answers.Count - 1)];
            UdpQueries++;
            var reply = Behaviour switch
            {
                DnsBehaviour.Silent => null,
                DnsBehaviour.DropFirst when UdpQueries == 1 => null,
                DnsBehaviour.ServFail => Reply(query.Buffer, rcode: 2, truncated: false, answer: false),
                DnsBehaviour.TruncateUdp => Reply(query.Buffer, rcode: 0, truncated: true, answer: false),
                DnsBehaviour.ReferToTestAgain => Referral(query.Buffer, ReferralGlue),
                _ => Reply(query.Buffer, rcode: 0, truncated: false, answer: true, address),
            };
            if (reply is not null)
                await _udp.SendAsync(reply, query.RemoteEndPoint, _stop.Token);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            TcpQueries++;
            var stream = client.GetStream();
            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix, _stop.Token);
            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await stream.ReadExactlyAsync(query, _stop.Token);
            var reply = Reply(query, rcode: 0, truncated: false, answer: true);
            var framed = new byte[reply.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
            reply.CopyTo(framed, 2);
            await stream.WriteAsync(framed, _stop.Token);
        }
    }

    /// <summary>A referral to "test." whose server (ns.test, glue 127.0.0.1) is this one: asked again, it refers again.</summary>
    private static byte[] Referral(byte[] query, IPAddress glue)
    {
        var reply = new List<byte>(Reply(query, rcode: 0, truncated: false, answer: false));
        reply[2] = (byte)(reply[2] & ~0x04); // not authoritative: a referral
        reply[9] = 1;
        reply[11] = 1;
        byte[] test = [4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0];
        byte[] nsTest = [2, (byte)'n', (byte)'s', .. test];
        reply.AddRange([.. test, 0, 2, 0, 1, 0, 0, 0, 60, 0, (byte)nsTest.Length, .. nsTest]);
        reply.AddRange([.. nsTest, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, .. glue.GetAddressBytes()]);
        return [.. reply];
    }

    private static byte[] Reply(byte[] query, byte rcode, bool truncated, bool answer, IPAddress? address = null)
    {
        var end = 12;
        while (query[end] != 0)
            end += query[end] + 1;
        end += 5;
        var isA = query[end - 4] == 0 && query[end - 3] == 1;
        var reply = new List<byte>(query[..end]);
        reply[2] = (byte)(0x84 | (truncated ? 0x02 : 0) | (query[2] & 1));
        reply[3] = rcode;
        reply[6] = 0;
        reply[7] = (byte)(answer && isA ? 1 : 0);
        reply[10] = 0;
        reply[11] = 0;
        if (answer && isA)
            reply.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, .. (address ?? IPAddress.Loopback).GetAddressBytes()]);
        return [.. reply];
    }
}

internal enum DnsBehaviour
{
    Answer,
    Silent,
    ServFail,
    TruncateUdp,
    DropFirst,
    ReferToTestAgain,
}
