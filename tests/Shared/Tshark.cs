using System.Globalization;

namespace FlowTrace.Testing;

/// <summary>tshark's dissection of a capture, as fields, for comparing FlowTrace's decoding with Wireshark's.</summary>
public static class Tshark
{
    /// <summary>The fields of the first packet matching <paramref name="filter"/>, the port read as
    /// <paramref name="protocol"/> (e.g. "tcp", 443, "tls"); each field's occurrences joined with commas.</summary>
    public static async Task<string[]> FirstPacketAsync(string file, string transport, int port, string protocol, string filter, params string[] fields)
    {
        var (code, output, error) = await ExternalProcess.RunAsync("tshark",
            ["-r", file, "-d", $"{transport}.port=={port.ToString(CultureInfo.InvariantCulture)},{protocol}", "-Y", filter, "-T", "fields", "-E", "separator=|",
             "-E", "occurrence=a", "-E", "aggregator=,", .. fields.SelectMany(f => new[] { "-e", f })], timeoutSeconds: 60);
        if (code != 0)
            throw new InvalidOperationException($"tshark failed: {error}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                   ?? throw new InvalidOperationException($"tshark found no packet for '{filter}': {error}");
        return line.Split('|');
    }
}
