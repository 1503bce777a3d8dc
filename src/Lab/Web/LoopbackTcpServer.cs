using System.Net;
using System.Net.Sockets;

namespace FlowTrace.Lab.Web;

/// <summary>
/// Accepts connections on a loopback port and hands each to a handler, bounded in time, so that one slow or
/// rude client never stops the others. The lab's hand-written servers are all built on it.
/// </summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<NetworkStream, TcpClient, CancellationToken, Task> _serve;
    private readonly TimeSpan _connectionLimit;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackTcpServer(int port, TimeSpan connectionLimit, Func<NetworkStream, TcpClient, CancellationToken, Task> serve)
    {
        _serve = serve;
        _connectionLimit = connectionLimit;
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
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                limit.CancelAfter(_connectionLimit);
                await _serve(client.GetStream(), client, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException
                                           or System.Security.Authentication.AuthenticationException)
            {
                // The client went away, its TLS handshake failed (no protocol in common, say) or the time limit struck:
                // that ends this connection only.
            }
        }
    }
}
