using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FlowTrace.Tracer.Tcp;

namespace FlowTrace.Tracer.Tests.Tcp;

public sealed class WireConnectionTests
{
    [Fact]
    public async Task WriteAsync_SmallWrite_PeerGetsTheBytesAndTheStampPrecedesTheReturn()
    {
        var (listener, client, server) = await ConnectedPairAsync();
        using (listener)
        using (server)
        {
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromSeconds(5));
            var sentAt = await wire.WriteAsync("hello"u8.ToArray(), CancellationToken.None);
            var returnedAt = Stopwatch.GetTimestamp();
            var buffer = new byte[16];
            var read = await server.ReceiveAsync(buffer);
            Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
            Assert.True(sentAt <= returnedAt);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task WriteAsync_PeerStopsReading_FailsAtTheWriteLimitWithTheReason()
    {
        var (listener, client, server) = await ConnectedPairAsync();
        using (listener)
        using (server)
        {
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromMilliseconds(300));
            var started = Stopwatch.GetTimestamp();
            // Far more than both kernels' buffers hold: the peer never reads, so a send must block and time out.
            var error = await Assert.ThrowsAsync<IOException>(async () => await wire.WriteAsync(new byte[64 * 1024 * 1024], CancellationToken.None));
            Assert.Contains("stopped reading", error.Message, StringComparison.Ordinal);
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task WriteAsync_CancelledWhileBlocked_ThrowsOperationCanceled()
    {
        var (listener, client, server) = await ConnectedPairAsync();
        using (listener)
        using (server)
        {
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromMinutes(5));
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var started = Stopwatch.GetTimestamp();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wire.WriteAsync(new byte[64 * 1024 * 1024], cancel.Token));
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
        }
    }

    private static async Task<(Socket Listener, Socket Client, Socket Server)> ConnectedPairAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 4096 };
        client.Connect(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        return (listener, client, server);
    }
}
