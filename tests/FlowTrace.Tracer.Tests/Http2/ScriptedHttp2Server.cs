using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Tests.Http2;

/// <summary>A cleartext HTTP/2 server (prior knowledge) on loopback that answers each request (each HEADERS) with
/// scripted frames, well-behaved or hostile, and keeps the connection open until disposed; it keeps the header blocks it
/// received.</summary>
internal sealed class ScriptedHttp2Server : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<int, IEnumerable<byte[]>> _answer;

    /// <param name="answer">The frames to send once the request's HEADERS (on the stream given) arrived.</param>
    public ScriptedHttp2Server(Func<int, IEnumerable<byte[]>> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The header blocks of the requests received, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<byte[]> ReceivedBlocks { get; } = new();

    /// <summary>A frame's bytes, as the tracer's own writer lays them out (the frame header is checked against real
    /// servers and tshark elsewhere).</summary>
    public static byte[] Frame(byte type, byte flags, int stream, params byte[] payload) => new FlowTrace.Tracer.Http2.Http2Frame(type, flags, stream, payload).ToBytes();

    /// <summary>A frame header claiming <paramref name="length"/> bytes, with only the header sent.</summary>
    public static byte[] HeaderOnly(byte type, int stream, int length) =>
        [(byte)(length >> 16), (byte)(length >> 8), (byte)length, type, 0, .. BitConverter.GetBytes(IPAddress.HostToNetworkOrder(stream))];

    public static byte[] Settings(params (ushort Id, uint Value)[] settings) =>
        Frame(4, 0, 0, [.. settings.SelectMany(s => new byte[] { (byte)(s.Id >> 8), (byte)s.Id, (byte)(s.Value >> 24), (byte)(s.Value >> 16), (byte)(s.Value >> 8), (byte)s.Value })]);

    /// <summary>How many connections the server accepted.</summary>
    public int Connections => _connections;

    private int _connections;

    private async Task ServeAsync()
    {
        // Each connection served on its own, so that a client that comes back (a retry) is answered too.
        var served = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                served.Add(ServeConnectionAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposed: the listener stopped (an accept then says it is not listening).
        }

        await Task.WhenAll(served);
    }

    private async Task ServeConnectionAsync(TcpClient accepted)
    {
        try
        {
            using var client = accepted;
            var stream = client.GetStream();
            var preface = new byte[24];
            await stream.ReadExactlyAsync(preface, _stop.Token);
            while (true)
            {
                var header = new byte[9];
                await stream.ReadExactlyAsync(header, _stop.Token);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, _stop.Token);
                if (header[3] == 1)
                {
                    ReceivedBlocks.Enqueue(payload);
                    var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
                    foreach (var bytes in _answer(streamId))
                    {
                        if (bytes.Length == 0)
                            return; // an empty item: close the connection here
                        await stream.WriteAsync(bytes, _stop.Token);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
