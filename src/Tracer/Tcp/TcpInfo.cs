using System.Buffers.Binary;
using System.Net.Sockets;

namespace FlowTrace.Tracer.Tcp;

/// <summary>Reads the kernel's own view of a TCP connection (Linux <c>TCP_INFO</c>).</summary>
internal static class TcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    // Offsets in struct tcp_info: 8 bytes of u8 fields, then u32 fields from tcpi_rto on; tcpi_rtt is in microseconds.
    private const int RttOffset = 68;
    private const int TotalRetransmitsOffset = 100;

    /// <summary>
    /// The kernel's smoothed RTT, and the handshake as the kernel timed it: right after connect() the smoothed RTT is
    /// still the one sample taken from the SYN leaving to the SYN/ACK arriving (microseconds, kernel clock). The
    /// handshake is null when there is no such sample (a retransmitted SYN: the kernel then takes none from the
    /// SYN/ACK); the whole result is null where TCP_INFO cannot be read.
    /// </summary>
    public static (TimeSpan Rtt, TimeSpan? Handshake)? TryRead(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            Span<byte> buffer = stackalloc byte[232];
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, buffer);
            if (length < TotalRetransmitsOffset + 4)
                return null;
            var rtt = TimeSpan.FromMicroseconds(BinaryPrimitives.ReadUInt32LittleEndian(buffer[RttOffset..]));
            var retransmits = BinaryPrimitives.ReadUInt32LittleEndian(buffer[TotalRetransmitsOffset..]);
            return (rtt, retransmits == 0 && rtt > TimeSpan.Zero ? rtt : null);
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
