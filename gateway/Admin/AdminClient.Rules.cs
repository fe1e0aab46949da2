using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using Gateway.Cli.Policy;
using Gateway.Policy;

namespace Gateway.Admin;

/// <summary>
/// The rule edits through a running daemon (<see cref="AdminPolicyEdits"/>). Each returns null when
/// no daemon listens: the caller then applies the same edit to the state directory itself. The
/// daemon's refusal comes back as the <see cref="PolicyEditException"/> the edit raised there.
/// </summary>
internal static partial class AdminClient
{
    /// <summary>The daemon's rules in force (<c>policy ls</c>); null when no daemon listens or it predates the endpoint.</summary>
    public static Task<List<RuleRow>?> TryListRulesAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using HttpResponseMessage response = await client.GetAsync(AdminPolicyEdits.RulesPath, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync(Cli.CliJsonContext.Default.ListRuleRow, token).ConfigureAwait(false);
        });

    /// <summary><c>policy allow|deny</c> applied by the daemon.</summary>
    public static Task<RuleAddition?> TryAddRuleAsync(UnixDomainSocketEndPoint endpoint, RuleAddRequest request, CancellationToken cancellation) =>
        TryEditAsync(endpoint, HttpMethod.Post, AdminPolicyEdits.RulesPath, JsonContent.Create(request, PolicyEditJsonContext.Default.RuleAddRequest),
            PolicyEditJsonContext.Default.RuleAddition, cancellation);

    /// <summary><c>policy rm</c> applied by the daemon.</summary>
    public static Task<RuleRemoval?> TryRemoveRuleAsync(UnixDomainSocketEndPoint endpoint, RuleRemoveRequest request, CancellationToken cancellation) =>
        TryEditAsync(endpoint, HttpMethod.Post, AdminPolicyEdits.RemovePath, JsonContent.Create(request, PolicyEditJsonContext.Default.RuleRemoveRequest),
            PolicyEditJsonContext.Default.RuleRemoval, cancellation);

    /// <summary><c>policy set-default</c> applied by the daemon.</summary>
    public static Task<DefaultChoice?> TrySetDefaultAsync(UnixDomainSocketEndPoint endpoint, string name, CancellationToken cancellation) =>
        TryEditAsync(endpoint, HttpMethod.Put, AdminPolicyEdits.DefaultPath, JsonContent.Create(new DefaultChoice(name), PolicyEditJsonContext.Default.DefaultChoice),
            PolicyEditJsonContext.Default.DefaultChoice, cancellation);

    /// <summary><c>policy reset</c> applied by the daemon.</summary>
    public static Task<PolicyReset?> TryResetAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TryEditAsync(endpoint, HttpMethod.Post, AdminPolicyEdits.ResetPath, content: null, PolicyEditJsonContext.Default.PolicyReset, cancellation);

    private static Task<T?> TryEditAsync<T>(
        UnixDomainSocketEndPoint endpoint, HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> answer, CancellationToken cancellation)
        where T : class =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            using HttpResponseMessage response = await client.SendAsync(request, token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync(answer, token).ConfigureAwait(false);
            }

            if (response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                throw new Cli.CliException(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
                    ? "the running gateway predates rule edits through its admin socket; restart it with this version"
                    : $"the running gateway answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            AdminErrors? errors = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminErrors, token).ConfigureAwait(false);
            throw new PolicyEditException(
                errors?.Errors is { Count: > 0 } lines ? lines : [$"the running gateway answered {(int)response.StatusCode} {response.ReasonPhrase}"],
                response.StatusCode switch
                {
                    HttpStatusCode.NotFound => PolicyEditFailure.NotFound,
                    HttpStatusCode.Conflict => PolicyEditFailure.NotLive,
                    _ => PolicyEditFailure.Invalid,
                });
        });
}
