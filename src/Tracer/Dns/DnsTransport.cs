using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// Sends one DNS message to one server and reads the answer's bytes, over UDP (a connected socket, so that only the
/// server's datagrams are read) or TCP (the two-byte length prefix of RFC 1035 §4.2.2). The tracer owns these bytes, as
/// it owns TLS's and HTTP's, so that the byte view shows what crossed the wire and the times are the wire's.
/// </summary>
internal static class DnsTransport
{
    /// <summary>The largest answer read (UDP's and TCP's limit alike).</summary>
    private const int MaxMessage = 65535;

    /// <param name="server">Where to send.</param>
    /// <param name="query">The query's bytes.</param>
    /// <param name="tcp">Over TCP rather than UDP.</param>
    /// <param name="timeout">How long to wait for the answer (connecting included, over TCP).</param>
    /// <param name="now">The trace's clock.</param>
    /// <param name="time">What the timeout runs on.</param>
    /// <param name="cancellationToken">Stops the exchange (an <see cref="OperationCanceledException"/>).</param>
    public static async Task<DnsExchange> ExchangeAsync(
        IPEndPoint server, byte[] query, bool tcp, TimeSpan timeout, Func<long> now, TimeProvider time, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        Socket? socket = null;
        // Over TCP the query's time includes connecting: the handshake is a round trip the answer waits for.
        var sentAt = now();
        try
        {
            socket = new Socket(server.AddressFamily, tcp ? SocketType.Stream : SocketType.Dgram, tcp ? ProtocolType.Tcp : ProtocolType.Udp);
            await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
            if (!tcp)
            {
                sentAt = now();
                await socket.SendAsync(query, SocketFlags.None, linked.Token).ConfigureAwait(false);
                var buffer = new byte[MaxMessage];
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                return new DnsExchange(buffer[..read], sentAt, now(), null);
            }

            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, linked.Token).ConfigureAwait(false);
            var prefix = new byte[2];
            if (!await ReadExactlyAsync(socket, prefix, linked.Token).ConfigureAwait(false))
                return new DnsExchange(null, sentAt, now(), "closed the TCP connection without answering");
            var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            if (!await ReadExactlyAsync(socket, answer, linked.Token).ConfigureAwait(false))
                return new DnsExchange(null, sentAt, now(), $"closed the TCP connection in the middle of a {answer.Length}-byte answer");
            return new DnsExchange(answer, sentAt, now(), null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DnsExchange(null, sentAt, now(), null, TimedOut: true);
        }
        catch (SocketException e)
        {
            // Over UDP, a closed port answers with ICMP port unreachable, which the socket reports as a refused connection.
            return new DnsExchange(null, sentAt, now(), e.SocketErrorCode == SocketError.ConnectionRefused
                ? tcp ? "refused the TCP connection" : "has nothing listening on that port (ICMP port unreachable)"
                : $"could not be reached ({e.SocketErrorCode})");
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (var filled = 0; filled < buffer.Length;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return false;
            filled += read;
        }

        return true;
    }
}
