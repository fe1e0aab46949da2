namespace Gateway.Dns;

/// <summary>The outcomes of reading one query message: a whole datagram or TCP message is always at hand, so there is no "need more".</summary>
internal enum DnsParseStatus
{
    /// <summary>A well-formed query; the question name is in the caller's buffer.</summary>
    Complete,

    /// <summary>Malformed; answer with <see cref="DnsQuery.Rcode"/> (FORMERR or NOTIMP) and the id.</summary>
    Malformed,

    /// <summary>Not answered at all: shorter than an id, or a response (answering responses lets two servers reflect at each other forever).</summary>
    Ignored,
}
