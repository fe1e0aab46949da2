namespace Gateway.Interception.Forwarding;

/// <summary>What preparing one request's credentials came to.</summary>
internal enum InjectionOutcome
{
    /// <summary>Every header to set has its value; the request may be forwarded.</summary>
    Ready,

    /// <summary>A credential source or proxy-managed variable has no value on the host: 502, nothing sent.</summary>
    MissingCredential,

    /// <summary>A credential source failed to produce a value (a command failed, a token endpoint refused): 502 naming it, nothing sent.</summary>
    CredentialFailed,

    /// <summary>A placeholder was sent toward a host its variable is not bound to: refused and audited.</summary>
    PlaceholderLeak,
}
