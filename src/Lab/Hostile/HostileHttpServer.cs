using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Hostile;

/// <summary>
/// A plain-HTTP server that misbehaves on purpose, chosen by the request path, so that the tracer can be shown
/// to fail cleanly, in bounded time and memory. Every behaviour stops by itself.
/// </summary>
internal sealed class HostileHttpServer : IAsyncDisposable
{
    /// <summary>Paths and what each does wrong.</summary>
    public static readonly IReadOnlyDictionary<string, string> Behaviours = new Dictionary<string, string>
    {
        ["/no-status-line"] = "answers without an HTTP status line",
        ["/no-colon"] = "sends a header line without a colon",
        ["/endless-headers"] = "sends header lines and never ends the head",
        ["/too-many-headers"] = "sends 300 header lines",
        ["/huge-chunk"] = "announces a chunk of ffffffffffffffff bytes",
        ["/slow-body"] = "sends its body one byte a second",
        ["/never-ends"] = "streams a body that never ends",
    };

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HostileHttpServer(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                // No behaviour runs longer than this, whatever the client does.
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                limit.CancelAfter(TimeSpan.FromSeconds(60));
                var token = limit.Token;
                var stream = client.GetStream();
                var path = await ReadPathAsync(stream, token).ConfigureAwait(false);
                switch (path)
                {
                    case "/no-status-line":
                        await WriteAsync(stream, "hello, this is not HTTP\r\n\r\n", token).ConfigureAwait(false);
                        break;
                    case "/no-colon":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nThis line has no colon\r\n\r\n", token).ConfigureAwait(false);
                        break;
                    case "/endless-headers":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\n", token).ConfigureAwait(false);
                        for (var i = 0; i < 100_000; i++)
                            await WriteAsync(stream, $"X-Endless-{i}: {new string('a', 100)}\r\n", token).ConfigureAwait(false);
                        break;
                    case "/too-many-headers":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"X-H{i}: v\r\n")) + "Content-Length: 0\r\n\r\n", token).ConfigureAwait(false);
                        break;
                    case "/huge-chunk":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc", token).ConfigureAwait(false);
                        await Task.Delay(TimeSpan.FromSeconds(5), token).ConfigureAwait(false);
                        break;
                    case "/slow-body":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", token).ConfigureAwait(false);
                        for (var i = 0; i < 100; i++)
                        {
                            await WriteAsync(stream, "x", token).ConfigureAwait(false);
                            await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                        }

                        break;
                    case "/never-ends":
                        await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", token).ConfigureAwait(false);
                        var block = new string('z', 8192);
                        for (var i = 0; i < 100_000; i++)
                            await WriteAsync(stream, block, token).ConfigureAwait(false);
                        break;
                    default:
                        await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", token).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client gave up, as it should: that is the point of these servers.
            }
        }
    }

    private static async Task<string> ReadPathAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new byte[8192];
        var read = 0;
        while (read < buffer.Length && !buffer.AsSpan(0, read).EndsWith("\r\n\r\n"u8))
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), token).ConfigureAwait(false);
            if (n == 0)
                break;
            read += n;
        }

        var line = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0].Split(' ');
        return line.Length > 1 ? line[1] : "/";
    }

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken token) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), token).AsTask();
}
