namespace Gateway.Credentials;

/// <summary>
/// The cache of one source worth caching: the last value until shortly before it expires, then one
/// refresh for every request that needs it (single flight). While a value is still valid a
/// refresh runs beside the requests, which go on with it; once it has expired they wait for the
/// refresh, and share its failure if it fails. A hit reads one field and allocates nothing.
/// </summary>
internal sealed class CachedCredential(CredentialMinter minter, TimeProvider time, Func<CredentialResult, CredentialResult> observe)
{
    // A shared refresh outlives the request that started it, so it gets its own bound.
    private static readonly TimeSpan s_refreshTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private Credential? _current;
    private Task<CredentialResult>? _refresh;

    /// <summary>The cached value, or the refresh every caller shares.</summary>
    public ValueTask<CredentialResult> GetAsync(CancellationToken cancellationToken)
    {
        Credential? current = Volatile.Read(ref _current);
        DateTimeOffset now = time.GetUtcNow();
        if (current is not null && now < current.RefreshAt)
        {
            return new ValueTask<CredentialResult>(current.Result);
        }

        Task<CredentialResult> refresh;
        lock (_lock)
        {
            refresh = _refresh ??= RefreshAsync();
        }

        if (current is not null && now < current.ExpiresAt && !refresh.IsCompleted)
        {
            return new ValueTask<CredentialResult>(current.Result);
        }

        return new ValueTask<CredentialResult>(refresh.WaitAsync(cancellationToken));
    }

    /// <summary>Drops the cached value: the next request fetches (a kit reload, a test).</summary>
    public void Invalidate() => Volatile.Write(ref _current, null);

    private async Task<CredentialResult> RefreshAsync()
    {
        // Never completes inside the lock above, so _refresh is set before it is cleared below.
        await Task.Yield();
        CredentialResult result;
        try
        {
            using var timeout = new CancellationTokenSource(s_refreshTimeout);
            result = await minter.MintAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            result = CredentialResult.Fail($"the fetch did not finish within {s_refreshTimeout.TotalSeconds:0} s");
        }
        catch (Exception e)
        {
            // Fail closed with the type only: a message could quote what the source returned.
            result = CredentialResult.Fail($"the fetch failed ({e.GetType().Name})");
        }

        // The new value goes in before the flight ends, so no request sees neither.
        lock (_lock)
        {
            if (result.Value is { } value)
            {
                Volatile.Write(ref _current, value);
            }

            _refresh = null;
        }

        return observe(result);
    }
}
