namespace Gateway.Credentials;

/// <summary>
/// One value of a credential source: a token or an AWS key pair, and how long it may be used. Built
/// once per fetch and shared by every request that uses it until <see cref="RefreshAt"/>.
/// </summary>
internal sealed class Credential
{
    /// <summary>A value that is read again on every request (env, file).</summary>
    public Credential(string token)
        : this(token, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue)
    {
    }

    public Credential(string? token, AwsKeyPair? keyPair, DateTimeOffset refreshAt, DateTimeOffset expiresAt)
    {
        Token = token;
        KeyPair = keyPair;
        RefreshAt = refreshAt;
        ExpiresAt = expiresAt;
        Result = new CredentialResult(this, null, missing: false);
    }

    private Presentation? _presented;

    /// <summary>The token (every source but aws).</summary>
    public string? Token { get; }

    /// <summary>The key pair of an aws source.</summary>
    public AwsKeyPair? KeyPair { get; }

    /// <summary>From then on a request starts a refresh (and goes on with this value while it runs).</summary>
    public DateTimeOffset RefreshAt { get; }

    /// <summary>From then on this value is not used: requests wait for the refresh.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>This value as a successful result, made once so that a cached lookup allocates nothing.</summary>
    public CredentialResult Result { get; }

    /// <summary>
    /// A minted value valid for <paramref name="lifetime"/> from <paramref name="now"/>, refreshed
    /// shortly before it ends: a minute early, or a fifth of its life when that is shorter.
    /// </summary>
    public static Credential Minted(string token, DateTimeOffset now, TimeSpan lifetime)
    {
        TimeSpan early = lifetime / 5 < TimeSpan.FromMinutes(1) ? lifetime / 5 : TimeSpan.FromMinutes(1);
        return new Credential(token, null, now + lifetime - early, now + lifetime);
    }

    /// <summary>
    /// The token as <paramref name="auth"/> presents it, formatted once per (value, presentation):
    /// a request served from the cache sets a string it did not build.
    /// </summary>
    public string Presented(PolicyCompiler.Kits.KitServiceAuth auth)
    {
        Presentation? last = Volatile.Read(ref _presented);
        if (last is not null && ReferenceEquals(last.Auth, auth))
        {
            return last.Value;
        }

        string value = CredentialPresentation.HeaderValue(auth, Token ?? throw new InvalidOperationException("an AWS key pair is presented by signing, not as a token"));
        Volatile.Write(ref _presented, new Presentation(auth, value));
        return value;
    }

    /// <summary>No member is printed: a credential must never reach a log line through ToString.</summary>
    public override string ToString() => nameof(Credential);

    private sealed class Presentation(PolicyCompiler.Kits.KitServiceAuth auth, string value)
    {
        public PolicyCompiler.Kits.KitServiceAuth Auth { get; } = auth;

        public string Value { get; } = value;
    }
}
