namespace FlowTrace.Contracts.Lab;

/// <summary>The lab's sites as lessons: each lesson's heading and the one thing to look for, shown above its sites by
/// the page and the command line alike.</summary>
public static class LabLessonGuide
{
    /// <summary>The lessons in the order a learner meets them.</summary>
    public static IReadOnlyList<LabLesson> InOrder { get; } = Enum.GetValues<LabLesson>();

    /// <summary>The lesson's heading.</summary>
    public static string Title(LabLesson lesson) => lesson switch
    {
        LabLesson.Start => "Start here",
        LabLesson.Dns => "DNS lookup",
        LabLesson.Tcp => "TCP connection",
        LabLesson.Tls => "TLS and certificates",
        LabLesson.Http => "HTTP request and response",
        LabLesson.Connection => "Connection handling",
        LabLesson.Hostile => "Hostile servers",
        _ => lesson.ToString(),
    };

    /// <summary>What to look for in the lesson's traces, in one sentence.</summary>
    public static string LookFor(LabLesson lesson) => lesson switch
    {
        LabLesson.Start => "Every step working: trace it first, then compare the others with it.",
        LabLesson.Dns => "Look at the DNS step: which records were asked for, how an alias leads to another name, and how a name that does not exist ends the trace there.",
        LabLesson.Tcp => "Look at the TCP step: the handshake's one round trip, a port where nothing listens, and IPv6 tried before IPv4.",
        LabLesson.Tls => "Look at the TLS step: which certificate the name (SNI) selects, how many round trips each version takes, and which certificates a browser would refuse.",
        LabLesson.Http => "Look at server processing and the response: a redirect's extra hop, a slow first byte, a body that streams, an error that is still an answer.",
        LabLesson.Connection => "Look at connection handling: who closed the connection, and whether it could have carried another request.",
        LabLesson.Hostile => "Each of these misbehaves on purpose; the trace must fail cleanly, in the step where things went wrong and in bounded time.",
        _ => "",
    };
}
