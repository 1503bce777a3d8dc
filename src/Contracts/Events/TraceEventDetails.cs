using System.Text.Json.Serialization;

namespace FlowTrace.Contracts.Events;

/// <summary>Base of every typed event payload. The JSON form carries a <c>type</c> discriminator.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TraceStartedDetails), "traceStarted")]
[JsonDerivedType(typeof(DnsSkippedDetails), "dnsSkipped")]
[JsonDerivedType(typeof(DnsQueryDetails), "dnsQuery")]
[JsonDerivedType(typeof(DnsResultDetails), "dnsResult")]
[JsonDerivedType(typeof(TcpAttemptDetails), "tcpAttempt")]
[JsonDerivedType(typeof(TcpConnectedDetails), "tcpConnected")]
[JsonDerivedType(typeof(TlsStartedDetails), "tlsStarted")]
[JsonDerivedType(typeof(TlsRecordDetails), "tlsRecord")]
[JsonDerivedType(typeof(TlsHandshakeMessageDetails), "tlsHandshakeMessage")]
[JsonDerivedType(typeof(TlsAlertDetails), "tlsAlert")]
[JsonDerivedType(typeof(TlsHandshakeDetails), "tlsHandshake")]
[JsonDerivedType(typeof(HttpRequestDetails), "httpRequest")]
[JsonDerivedType(typeof(ServerProcessingDetails), "serverProcessing")]
[JsonDerivedType(typeof(HttpResponseDetails), "httpResponse")]
[JsonDerivedType(typeof(BodyChunkDetails), "bodyChunk")]
[JsonDerivedType(typeof(Http2FrameDetails), "http2Frame")]
[JsonDerivedType(typeof(ConnectionDetails), "connection")]
[JsonDerivedType(typeof(RedirectDetails), "redirect")]
[JsonDerivedType(typeof(SameConnectionAgainDetails), "sameConnectionAgain")]
[JsonDerivedType(typeof(ResumedAgainDetails), "resumedAgain")]
[JsonDerivedType(typeof(RetriedDetails), "retried")]
[JsonDerivedType(typeof(StepFailureDetails), "failure")]
[JsonDerivedType(typeof(StepPausedDetails), "stepPaused")]
[JsonDerivedType(typeof(TraceSummary), "summary")]
public abstract record TraceEventDetails;
