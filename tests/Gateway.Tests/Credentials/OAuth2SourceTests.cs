using System.Collections.Immutable;
using System.Text;
using Gateway.Credentials;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 1, <c>oauth2</c>, against a real HTTPS token endpoint that checks the client's
/// Basic credentials and the grant: tokens are cached until shortly before expires_in, refreshed
/// once for every waiting request (50 at once make one hit), and an endpoint that is down or
/// refuses is a failure naming it, never a secret.
/// </summary>
public sealed class OAuth2SourceTests : IAsyncLifetime
{
    private const string ClientSecret = "client-s3cr3t-77b0";
    private const string RefreshSecret = "refresh-s3cr3t-19c4";
    private readonly InterceptTestCa _ca = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private BrokerFixture _fixture = null!;
    private TokenEndpoint _endpoint = null!;
    private int _minted;

    private string IdVariable => "GW_OAUTH_ID_" + _suffix;

    private string SecretVariable => "GW_OAUTH_SECRET_" + _suffix;

    private string RefreshVariable => "GW_OAUTH_REFRESH_" + _suffix;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(IdVariable, "agent-client");
        Environment.SetEnvironmentVariable(SecretVariable, ClientSecret);
        Environment.SetEnvironmentVariable(RefreshVariable, RefreshSecret);
        _fixture = new BrokerFixture(_ca);
        _endpoint = await TokenEndpoint.StartAsync(_ca, "/oauth/token", AnswerAsync);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _fixture.Dispose();
        _ca.Dispose();
        Environment.SetEnvironmentVariable(IdVariable, null);
        Environment.SetEnvironmentVariable(SecretVariable, null);
        Environment.SetEnvironmentVariable(RefreshVariable, null);
    }

    [Fact]
    public async Task ClientCredentials_IsCachedUntilShortlyBeforeExpiry_ThenRefreshed()
    {
        KitCredentialSource source = ClientCredentials(_endpoint.Url);

        Assert.Equal("minted-1", (await GetAsync(source)).Value?.Token);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(3500));
        Assert.Equal("minted-1", (await GetAsync(source)).Value?.Token);
        Assert.Equal(1, _endpoint.Hits);

        // expires_in 3600: refreshed a minute early.
        _fixture.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal("minted-1", (await GetAsync(source)).Value?.Token); // still valid: the request goes on while the refresh runs
        await WaitForAsync(() => _minted == 2);

        // The endpoint has answered; the broker stores the new token when the response is read, a moment later.
        string? token = null;
        for (int i = 0; i < 600 && (token = (await GetAsync(source)).Value?.Token) != "minted-2"; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal("minted-2", token);
        Assert.Equal(2, _endpoint.Hits);
        Assert.Equal(2, await _fixture.FetchesAsync("oauth", "ok"));
    }

    [Fact]
    public async Task FiftyConcurrentRequests_ShareOneFetch()
    {
        KitCredentialSource source = ClientCredentials(_endpoint.Url);
        _endpoint.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every one of the 50 asks before the endpoint may answer: a second fetch would be a second hit.
        var waiting = new List<Task<CredentialResult>>();
        for (int i = 0; i < 50; i++)
        {
            waiting.Add(_fixture.Broker.GetAsync(source, CancellationToken.None).AsTask());
        }

        await _endpoint.FirstHit.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _endpoint.Gate.SetResult();
        CredentialResult[] results = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal("minted-1", r.Value?.Token));
        Assert.Equal(1, _endpoint.Hits);
    }

    [Fact]
    public async Task ExpiredToken_IsNotUsed_RequestsWaitForTheRefresh()
    {
        KitCredentialSource source = ClientCredentials(_endpoint.Url);
        Assert.Equal("minted-1", (await GetAsync(source)).Value?.Token);

        _fixture.Clock.Advance(TimeSpan.FromSeconds(3601));

        Assert.Equal("minted-2", (await GetAsync(source)).Value?.Token);
    }

    [Fact]
    public async Task RefreshTokenGrant_SendsTheRefreshToken_AndKeepsARotatedOne()
    {
        var source = new KitCredentialSource("internal", [], null, KitCredentialPriority.EnvFirst)
        {
            OAuth2 = new KitOAuth2(new Uri(_endpoint.Url), KitOAuth2Grant.RefreshToken, Env(IdVariable), Env(SecretVariable), Env(RefreshVariable), ["read", "write"]),
        };

        Assert.Equal("minted-1", (await GetAsync(source)).Value?.Token);
        _fixture.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("minted-2", (await GetAsync(source)).Value?.Token); // the endpoint accepts only the rotated token now
    }

    [Fact]
    public async Task WrongClientSecret_IsAFailureNamingTheStatus_NotTheSecret()
    {
        Environment.SetEnvironmentVariable(SecretVariable, "wrong-" + ClientSecret);

        CredentialResult result = await GetAsync(ClientCredentials(_endpoint.Url));

        Assert.Null(result.Value);
        Assert.Equal($"the token endpoint {_endpoint.Url} answered 401 Unauthorized", result.Failure);
        Assert.Equal(1, await _fixture.FetchesAsync("oauth", "error"));
    }

    [Fact]
    public async Task EndpointDown_IsAFailureSayingItCouldNotBeReached()
    {
        int port = _endpoint.Port;
        await _endpoint.DisposeAsync();

        CredentialResult result = await GetAsync(ClientCredentials($"https://127.0.0.1:{port}/oauth/token"));

        Assert.Null(result.Value);
        Assert.StartsWith($"the token endpoint https://127.0.0.1:{port}/oauth/token could not be reached", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingClientId_IsAFailureNamingWhereItLooked()
    {
        Environment.SetEnvironmentVariable(IdVariable, null);

        CredentialResult result = await GetAsync(ClientCredentials(_endpoint.Url));

        Assert.Equal($"its clientId (internal.clientId) has no value: looked in environment {IdVariable}", result.Failure);
        Assert.Equal(0, _endpoint.Hits);
    }

    private static KitCredentialSource Env(string variable) => new("internal." + variable, [variable], null, KitCredentialPriority.EnvFirst);

    private KitCredentialSource ClientCredentials(string url) => new("internal", [], null, KitCredentialPriority.EnvFirst)
    {
        OAuth2 = new KitOAuth2(new Uri(url), KitOAuth2Grant.ClientCredentials, Env(IdVariable), Env(SecretVariable), null, ImmutableArray<string>.Empty),
    };

    private async Task<CredentialResult> GetAsync(KitCredentialSource source)
    {
        CredentialResult result = await _fixture.Broker.GetAsync(source, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        string logs = _fixture.Logs.ToString();
        Assert.DoesNotContain(ClientSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("minted-", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, result.Failure ?? "", StringComparison.Ordinal);
        return result;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the background refresh did not reach the endpoint within 30 s");
    }

    // What a real authorization server checks: the client's Basic credentials (RFC 6749 §2.3.1) and the grant.
    private async Task<IResult> AnswerAsync(HttpContext context, IFormCollection form)
    {
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("agent-client:" + ClientSecret));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            return Results.Json(new { error = "invalid_client", error_description = "got " + context.Request.Headers.Authorization }, statusCode: 401);
        }

        string grant = form["grant_type"].ToString();
        if (grant == "refresh_token")
        {
            string wanted = _minted == 0 ? RefreshSecret : "rotated-" + _minted;
            if (form["refresh_token"] != wanted || form["scope"] != "read write")
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }
        }
        else if (grant != "client_credentials")
        {
            return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }

        int minted = Interlocked.Increment(ref _minted);
        await Task.Yield();
        return Results.Json(new { access_token = "minted-" + minted, token_type = "Bearer", expires_in = 3600, refresh_token = "rotated-" + minted });
    }
}
