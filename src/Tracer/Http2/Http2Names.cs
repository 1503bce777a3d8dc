namespace FlowTrace.Tracer.Http2;

/// <summary>The names of HTTP/2's numbers (RFC 9113 §6, §7, §11).</summary>
internal static class Http2Names
{
    public static string FrameType(byte type) => type switch
    {
        Http2Frame.Data => "DATA",
        Http2Frame.Headers => "HEADERS",
        Http2Frame.Priority => "PRIORITY",
        Http2Frame.RstStream => "RST_STREAM",
        Http2Frame.Settings => "SETTINGS",
        Http2Frame.PushPromise => "PUSH_PROMISE",
        Http2Frame.Ping => "PING",
        Http2Frame.GoAway => "GOAWAY",
        Http2Frame.WindowUpdate => "WINDOW_UPDATE",
        Http2Frame.Continuation => "CONTINUATION",
        _ => $"UNKNOWN({type})",
    };

    public static string Flags(byte type, byte flags)
    {
        var names = new List<string>();
        if (type is Http2Frame.Settings or Http2Frame.Ping && (flags & Http2Frame.Ack) != 0)
            names.Add("ACK");
        if (type is Http2Frame.Data or Http2Frame.Headers && (flags & Http2Frame.EndStream) != 0)
            names.Add("END_STREAM");
        if (type is Http2Frame.Headers or Http2Frame.Continuation or Http2Frame.PushPromise && (flags & Http2Frame.EndHeaders) != 0)
            names.Add("END_HEADERS");
        if (type is Http2Frame.Data or Http2Frame.Headers or Http2Frame.PushPromise && (flags & Http2Frame.Padded) != 0)
            names.Add("PADDED");
        if (type == Http2Frame.Headers && (flags & Http2Frame.PriorityFlag) != 0)
            names.Add("PRIORITY");
        return string.Join(" ", names);
    }

    public static string ErrorCode(uint code) => code switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        _ => $"0x{code:x}",
    };

    public static string Setting(ushort id) => id switch
    {
        0x1 => "HEADER_TABLE_SIZE",
        0x2 => "ENABLE_PUSH",
        0x3 => "MAX_CONCURRENT_STREAMS",
        0x4 => "INITIAL_WINDOW_SIZE",
        0x5 => "MAX_FRAME_SIZE",
        0x6 => "MAX_HEADER_LIST_SIZE",
        0x8 => "ENABLE_CONNECT_PROTOCOL",
        0x9 => "NO_RFC7540_PRIORITIES",
        _ => $"0x{id:x}",
    };
}
