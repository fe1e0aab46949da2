namespace Gateway.Interception.Dlp;

/// <summary>
/// What a DLP hit matched: the closed set of names that go into the audit reason (<c>dlp:&lt;name&gt;</c>) and the
/// <c>gateway_dlp_hits_total{pattern}</c> label. Never the matched text: that is the secret.
/// </summary>
internal enum DlpPattern
{
    /// <summary>No hit.</summary>
    None,

    /// <summary>A value of a credential the gateway holds, raw or base64, base64url, URL- or hex-encoded.</summary>
    Credential,

    /// <summary>The placeholder of another sandbox's proxy-managed variable.</summary>
    Placeholder,

    /// <summary>An AWS access key id (AKIA… long-term, ASIA… temporary).</summary>
    AwsAccessKeyId,

    /// <summary>A GitHub token: ghp_, gho_, ghu_, ghs_, ghr_ or github_pat_.</summary>
    GithubToken,

    /// <summary>A GitLab personal access token (glpat-).</summary>
    GitlabToken,

    /// <summary>A Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-).</summary>
    SlackToken,

    /// <summary>A Stripe live secret or restricted key (sk_live_, rk_live_).</summary>
    StripeKey,

    /// <summary>A PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP).</summary>
    PrivateKey,

    /// <summary>A JSON Web Token (a JSON header and a JSON payload, base64url, joined by a dot).</summary>
    Jwt,

    /// <summary>A Google service-account key file ("private_key" holding a PEM block).</summary>
    GoogleServiceAccount,

    /// <summary>A compressed body that decodes past the size or ratio bound: the rest could not be scanned.</summary>
    DecodeLimit,

    /// <summary>A body whose Content-Encoding the gateway decodes but whose bytes do not decode: it could not be scanned.</summary>
    Undecodable,
}
