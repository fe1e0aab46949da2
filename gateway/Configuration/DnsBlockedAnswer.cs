namespace Gateway.Configuration;

/// <summary>How the sandbox-facing resolver answers a name the sandbox may not reach (<c>dns.blocked</c>).</summary>
internal enum DnsBlockedAnswer
{
    /// <summary>
    /// NXDOMAIN: "could not resolve host". Resolvers and agents take it as final; REFUSED reads as
    /// "temporary failure in name resolution", which glibc retries over every nameserver and agents
    /// retry again (one blocked name gave 32 audit rows).
    /// </summary>
    NxDomain,

    /// <summary>REFUSED, as before <c>dns.blocked</c> existed.</summary>
    Refused,

    /// <summary>
    /// The gateway's own address, as for an allowed name: the connection reaches the transparent
    /// listener, which refuses it there with the same answer (and, with <c>listen.blockPage</c>,
    /// the same readable 403) as every other path.
    /// </summary>
    Gateway,
}
