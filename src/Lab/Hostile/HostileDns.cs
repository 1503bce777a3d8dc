using System.Buffers.Binary;
using FlowTrace.Lab.Dns;

namespace FlowTrace.Lab.Hostile;

/// <summary>
/// Broken DNS answers for names that start with <c>dns-</c>: garbage bytes, a reply with the wrong ID, a record whose
/// length runs past the message, a truncated answer that TCP never completes, and an oversized answer.
/// </summary>
internal static class HostileDns
{
    /// <summary>The reply for a hostile name over UDP, an empty array to stay silent, or null for a normal answer.</summary>
    public static byte[]? UdpReply(ReadOnlySpan<byte> query, LabZone zone)
    {
        if (DnsMessage.ReadQuestion(query) is not { } q || !q.Name.StartsWith("dns-", StringComparison.OrdinalIgnoreCase))
            return null;
        var answer = DnsMessage.Answer(query, zone);
        switch (q.Name.Split('.')[0])
        {
            case "dns-garbage":
                return [.. query[..2], 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0xff, 0xff, 0x01];
            case "dns-wrongid":
                BinaryPrimitives.WriteUInt16BigEndian(answer, (ushort)(q.Id + 1));
                return answer;
            case "dns-malformed":
                // The last record claims 200 bytes of data that are not there.
                if (answer.Length >= 2)
                    BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(answer.Length - 6), 200);
                return answer;
            case "dns-truncated":
                answer[2] |= 0x02;
                answer[6] = 0;
                answer[7] = 0;
                return answer[..q.QuestionEnd];
            case "dns-big":
                return answer;
            default:
                return null;
        }
    }

    /// <summary>True when the TCP answer for this query should be withheld (the connection just closes).</summary>
    public static bool WithholdTcp(ReadOnlySpan<byte> query) =>
        DnsMessage.ReadQuestion(query) is { } q && q.Name.StartsWith("dns-truncated", StringComparison.OrdinalIgnoreCase);
}
