using System.Buffers.Binary;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Tcp;

/// <summary>Reads the kernel's own view of a TCP connection (Linux <c>TCP_INFO</c>).</summary>
internal static class TcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    // Offset of tcpi_rtt (microseconds) in struct tcp_info: 8 bytes of u8 fields, then u32 fields rto..rcv_ssthresh.
    private const int RttOffset = 68;

    public static TimeSpan? TryReadRtt(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            Span<byte> buffer = stackalloc byte[232];
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, buffer);
            if (length < RttOffset + 4)
                return null;
            var micros = BinaryPrimitives.ReadUInt32LittleEndian(buffer[RttOffset..]);
            return TimeSpan.FromMicroseconds(micros);
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
