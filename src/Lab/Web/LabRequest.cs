using System.Net.Sockets;
using System.Text;

namespace FlowTrace.Lab.Web;

/// <summary>Reads a request head the way the lab's hand-written servers need it.</summary>
internal static class LabRequest
{
    /// <summary>Reads up to the blank line (8 KiB at most); returns the request line, or null when the client closed first.</summary>
    public static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var read = 0;
        while (read < buffer.Length && !buffer.AsSpan(0, read).EndsWith("\r\n\r\n"u8))
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return null;
            read += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
    }
}
