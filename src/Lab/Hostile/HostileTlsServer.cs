using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Hostile;

/// <summary>
/// A port that speaks broken TLS, the breakage chosen by the SNI name of the ClientHello:
/// <c>garbage.*</c> answers plain text, <c>huge-record.*</c> announces a 16 MB handshake message,
/// <c>alert.*</c> sends a fatal alert in the middle of the handshake, <c>silent.*</c> never answers.
/// </summary>
internal sealed class HostileTlsServer : IAsyncDisposable
{
    private readonly Web.LoopbackTcpServer _server;

    public HostileTlsServer(int port) => _server = new Web.LoopbackTcpServer(port, TimeSpan.FromSeconds(30), ServeAsync);

    public int Port => _server.Port;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>Reads the SNI host name from a ClientHello record, or null.</summary>
    internal static string? ServerName(ReadOnlySpan<byte> record)
    {
        try
        {
            if (record.Length < 5 + 4 + 2 + 32 + 1 || record[0] != 22 || record[5] != 1)
                return null;
            var p = 5 + 4 + 2 + 32;
            p += 1 + record[p];                                             // session id
            p += 2 + BinaryPrimitives.ReadUInt16BigEndian(record[p..]);     // cipher suites
            p += 1 + record[p];                                             // compression methods
            var end = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(record[p..]);
            p += 2;
            while (p + 4 <= end && p + 4 <= record.Length)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(record[p..]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(record[(p + 2)..]);
                if (type == 0 && p + 9 <= record.Length)
                {
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(record[(p + 7)..]);
                    return Encoding.ASCII.GetString(record.Slice(p + 9, Math.Min(nameLength, record.Length - p - 9)));
                }

                p += 4 + length;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
        }

        return null;
    }

    private static async Task ServeAsync(NetworkStream stream, TcpClient client, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        var read = await stream.ReadAsync(buffer, token).ConfigureAwait(false);
        var name = ServerName(buffer.AsSpan(0, read)) ?? "";
        byte[] answer = name.Split('.')[0] switch
        {
            "silent" => [],
            "huge-record" => [22, 3, 3, 0, 4, 2, 0xFF, 0xFF, 0xFF],
            "alert" => [21, 3, 3, 0, 2, 2, 40],
            _ => "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(),
        };
        await stream.WriteAsync(answer, token).ConfigureAwait(false);
        // Keep the connection open: the client must give up by itself, within its own limits.
        await Task.Delay(TimeSpan.FromSeconds(20), token).ConfigureAwait(false);
    }
}
