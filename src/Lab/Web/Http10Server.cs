using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Web;

/// <summary>A hand-written HTTP/1.0 server: one response per connection, then it closes, as HTTP/1.0 did.</summary>
internal sealed class Http10Server : IAsyncDisposable
{
    private readonly LoopbackTcpServer _server;

    public Http10Server(int port) => _server = new LoopbackTcpServer(port, TimeSpan.FromSeconds(10), ServeAsync);

    public int Port => _server.Port;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task ServeAsync(NetworkStream stream, TcpClient client, CancellationToken cancellationToken)
    {
        if (await LabRequest.ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false) is null)
            return;
        var body = "An HTTP/1.0 server: no chunking, no keep-alive, one request per connection.\n";
        var response = $"HTTP/1.0 200 OK\r\nServer: FlowTrace-Lab-HTTP10\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
        client.Client.Shutdown(SocketShutdown.Send);
    }
}
