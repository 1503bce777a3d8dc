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
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromSeconds(5), clockIsStopwatch: true, new BlockingThreads());
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
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromMilliseconds(300), clockIsStopwatch: true, new BlockingThreads());
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
            await using var wire = new WireConnection(client, Stopwatch.GetTimestamp, TimeSpan.FromMinutes(5), clockIsStopwatch: true, new BlockingThreads());
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var started = Stopwatch.GetTimestamp();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wire.WriteAsync(new byte[64 * 1024 * 1024], cancel.Token));
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task ReadAsync_DataArrivedWhileNobodyRead_IsStampedWhenItArrivedNotWhenRead()
    {
        var (listener, client, server) = await ConnectedPairAsync();
        using (listener)
        using (server)
        {
            // Timestamping is on from the start, as WireConnection turns it on right after connecting; then the bytes
            // wait in the client's receive queue 300 ms before anyone asks for them.
            var receiver = KernelReceiver.TryCreate(client);
            Assert.NotNull(receiver);
            // Linux turns the system-wide timestamping switch on from a work queue, a moment after the first socket
            // asks: until then arriving data carries no stamp. Wait for a probe byte that has one.
            var buffer = new byte[16];
            long? probed = null;
            for (var i = 0; i < 100 && probed is null; i++)
            {
                await server.SendAsync(new byte[] { 0 });
                receiver.Receive(buffer, out probed);
                if (probed is null)
                    await Task.Delay(10);
            }

            Assert.NotNull(probed);
            var sent = Stopwatch.GetTimestamp();
            await server.SendAsync("early"u8.ToArray());
            await Task.Delay(300);
            var read = receiver.Receive(buffer, out var arrivedAt);
            var readAt = Stopwatch.GetTimestamp();
            Assert.Equal(5, read);
            Assert.NotNull(arrivedAt);
            Assert.InRange(arrivedAt.Value, sent, readAt);
            Assert.True(Stopwatch.GetElapsedTime(arrivedAt.Value, readAt) > TimeSpan.FromMilliseconds(200),
                $"stamped {Stopwatch.GetElapsedTime(sent, arrivedAt.Value).TotalMilliseconds:0.0} ms after sending, read {Stopwatch.GetElapsedTime(sent, readAt).TotalMilliseconds:0} ms after");
            client.Dispose();
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
