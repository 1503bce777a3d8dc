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

    private readonly Web.LoopbackTcpServer _server;

    // No behaviour runs longer than a minute, whatever the client does.
    public HostileHttpServer(int port) => _server = new Web.LoopbackTcpServer(port, TimeSpan.FromMinutes(1), ServeAsync);

    public int Port => _server.Port;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task ServeAsync(NetworkStream stream, TcpClient client, CancellationToken token)
    {
        var requestLine = await Web.LabRequest.ReadHeadAsync(stream, token).ConfigureAwait(false);
        var path = requestLine?.Split(' ') is { Length: > 1 } parts ? parts[1] : "/";
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

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken token) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), token).AsTask();
}
