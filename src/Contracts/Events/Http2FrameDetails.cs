namespace FlowTrace.Contracts.Events;

/// <summary>One HTTP/2 frame (RFC 9113 §4), as sent or received, at the time it left or its last byte arrived.</summary>
/// <param name="Direction">Who sent it.</param>
/// <param name="StreamId">The stream it belongs to; 0 for the connection itself (SETTINGS, PING, GOAWAY, ...).</param>
/// <param name="FrameType">DATA, HEADERS, SETTINGS, ... or UNKNOWN(n).</param>
/// <param name="Flags">The flags byte.</param>
/// <param name="FlagNames">The flags set, by name (END_STREAM, END_HEADERS, ACK, PADDED, PRIORITY), or empty.</param>
/// <param name="Length">The payload's length in bytes (the 9-byte frame header not counted).</param>
/// <param name="Summary">What it says, in words: the settings and their values, the window increment, the error code by
/// name, the status.</param>
/// <param name="HeaderBlock">For HEADERS (with its CONTINUATIONs): the header fields and how HPACK carried them.</param>
public sealed record Http2FrameDetails(
    WireDirection Direction,
    int StreamId,
    string FrameType,
    byte Flags,
    string FlagNames,
    int Length,
    string Summary,
    Http2HeaderBlock? HeaderBlock = null) : TraceEventDetails;
