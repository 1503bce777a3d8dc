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

    public static TimeSpan? TryReadRtt(Socket socket) => TryRead(socket)?.Rtt;

    /// <summary>
    /// The handshake as the kernel timed it: right after connect() the smoothed RTT is still the one sample taken from
    /// the SYN leaving to the SYN/ACK arriving (microseconds, kernel clock). Null when there is no such sample: not
    /// Linux, or a retransmitted SYN (the kernel then takes no sample from the SYN/ACK).
    /// </summary>
    public static TimeSpan? TryReadHandshake(Socket socket) =>
        TryRead(socket) is { TotalRetransmits: 0, Rtt: var rtt } && rtt > TimeSpan.Zero ? rtt : null;

    private static (TimeSpan Rtt, uint TotalRetransmits)? TryRead(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            Span<byte> buffer = stackalloc byte[232];
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, buffer);
            if (length < TotalRetransmitsOffset + 4)
                return null;
            return (TimeSpan.FromMicroseconds(BinaryPrimitives.ReadUInt32LittleEndian(buffer[RttOffset..])),
                BinaryPrimitives.ReadUInt32LittleEndian(buffer[TotalRetransmitsOffset..]));
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
