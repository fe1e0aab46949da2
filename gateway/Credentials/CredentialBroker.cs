using System.Runtime.CompilerServices;
using Gateway.Interception.Dlp;
using Gateway.Metrics;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// The one place interception asks for "the credential of source X": env and file sources are
/// read on every request (a rotated value is used at once); command outputs and minted tokens are
/// cached per source and refreshed once for all waiting requests (see <see cref="CachedCredential"/>);
/// an aws source is its three parts, each fetched the same way. Caches hang off the source object of
/// the live policy, so a kit reload that changes a source starts from a fresh cache and a removed
/// source's cache goes with it. Every fetch that reaches the host or the network is counted in
/// <c>gateway_credential_fetches_total{source,result}</c>; failures are logged with the source name and
/// what failed, never a value.
/// </summary>
internal sealed partial class CredentialBroker : IDisposable
{
    private readonly ConditionalWeakTable<KitCredentialSource, CachedCredential> _caches = new();
    private readonly ConditionalWeakTable<KitCredentialSource, CachedCredential>.CreateValueCallback _create;
    private readonly TimeProvider _time;
    private readonly TokenClient _client;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<CredentialBroker> _logger;

    public CredentialBroker(TimeProvider time, TokenClient client, GatewayMetrics metrics, ILogger<CredentialBroker> logger)
    {
        _time = time;
        _client = client;
        _metrics = metrics;
        _logger = logger;
        _create = CreateCache;
    }

    /// <summary>
    /// The current value of <paramref name="source"/>: synchronous and allocation-free while a
    /// cached value is fresh; otherwise the shared fetch. A failure names what failed, never a value.
    /// </summary>
    public ValueTask<CredentialResult> GetAsync(KitCredentialSource source, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case KitSourceKind.Env or KitSourceKind.File:
                return new ValueTask<CredentialResult>(Read(source));
            case KitSourceKind.Aws:
                return GetKeyPairAsync(source, source.Aws!, cancellationToken);
            default:
                return _caches.GetValue(source, _create).GetAsync(cancellationToken);
        }
    }

    /// <summary>Forgets the cached value of <paramref name="source"/> (and of nothing else): its next use fetches.</summary>
    public void Invalidate(KitCredentialSource source)
    {
        if (_caches.TryGetValue(source, out CachedCredential? cache))
        {
            cache.Invalidate();
        }
    }

    /// <summary>Every value this broker fetched (latest per source), for outgoing DLP on intercepted requests.</summary>
    public HeldSecrets Held { get; } = new();

    public void Dispose() => _client.Dispose();

    private CredentialResult Read(KitCredentialSource source)
    {
        if (CredentialReader.Read(source) is { } value)
        {
            _metrics.RecordCredentialFetch(source.Kind, ok: true);
            Held.Remember(source, value);
            return new Credential(value).Result;
        }

        _metrics.RecordCredentialFetch(source.Kind, ok: false);
        return CredentialResult.NotFound(CredentialReader.Describe(source));
    }

    private async ValueTask<CredentialResult> GetKeyPairAsync(KitCredentialSource source, KitAwsKeys keys, CancellationToken cancellationToken)
    {
        CredentialResult id = await GetAsync(keys.AccessKeyId, cancellationToken).ConfigureAwait(false);
        CredentialResult secret = await GetAsync(keys.SecretAccessKey, cancellationToken).ConfigureAwait(false);
        CredentialResult token = keys.SessionToken is { } session ? await GetAsync(session, cancellationToken).ConfigureAwait(false) : default;
        foreach ((string part, CredentialResult result, bool required) in (ReadOnlySpan<(string, CredentialResult, bool)>)[("accessKeyId", id, true), ("secretAccessKey", secret, true), ("sessionToken", token, keys.SessionToken is not null)])
        {
            if (required && result.Value?.Token is null)
            {
                CredentialResult failed = CredentialResult.Fail($"its {part} has no value: {(result.Missing ? "looked in " : "")}{result.Failure}");
                Log.FetchFailed(_logger, source.Name, KitSourceKind.Aws, failed.Failure!);
                return failed;
            }
        }

        // The pair lasts as long as its shortest-lived part.
        DateTimeOffset refreshAt = Min(id.Value!.RefreshAt, secret.Value!.RefreshAt, token.Value?.RefreshAt ?? DateTimeOffset.MaxValue);
        DateTimeOffset expiresAt = Min(id.Value.ExpiresAt, secret.Value.ExpiresAt, token.Value?.ExpiresAt ?? DateTimeOffset.MaxValue);
        var pair = new AwsKeyPair(id.Value.Token!, secret.Value.Token!, token.Value?.Token);
        return new Credential(null, pair, refreshAt, expiresAt).Result;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => a < b ? (a < c ? a : c) : (b < c ? b : c);

    private CachedCredential CreateCache(KitCredentialSource source)
    {
        CredentialMinter minter = source.Kind switch
        {
            KitSourceKind.Command => new CommandMinter(source.Command!, _time),
            KitSourceKind.OAuth2 => new OAuth2Minter(source.Name, source.OAuth2!, this, _client, _time),
            KitSourceKind.GoogleServiceAccount => new GoogleServiceAccountMinter(source.GoogleServiceAccount!, this, _client, _time),
            KitSourceKind.GithubApp => new GithubAppMinter(source.GithubApp!, this, _client, _time),
            _ => throw new ArgumentException($"source kind {source.Kind} is not cached", nameof(source)),
        };
        return new CachedCredential(minter, _time, result => Observe(source, result));
    }

    private CredentialResult Observe(KitCredentialSource source, CredentialResult result)
    {
        _metrics.RecordCredentialFetch(source.Kind, result.Value is not null);
        if (result.Value is null)
        {
            Log.FetchFailed(_logger, source.Name, source.Kind, result.Failure!);
        }
        else
        {
            if (result.Value.Token is { } token)
            {
                Held.Remember(source, token);
            }

            Log.Fetched(_logger, source.Name, source.Kind, result.Value.ExpiresAt);
        }

        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(2700, LogLevel.Warning, "credential source {Source} ({Kind}): {Failure}")]
        public static partial void FetchFailed(ILogger logger, string source, KitSourceKind kind, string failure);

        [LoggerMessage(2701, LogLevel.Debug, "credential source {Source} ({Kind}) fetched; valid until {ExpiresAt:o}")]
        public static partial void Fetched(ILogger logger, string source, KitSourceKind kind, DateTimeOffset expiresAt);
    }
}
