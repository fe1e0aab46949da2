using Gateway.Credentials;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception.Forwarding;

/// <summary>SigV4 re-signing of a request whose binding says <c>scheme: aws-sigv4</c>, and its placeholders.</summary>
internal sealed partial class RequestCredentials
{
    /// <summary>The re-signing the handler prepared for <see cref="SigV4"/> (payload hash settled); the transformer signs with it.</summary>
    public SigV4Signing? Signing { get; set; }

    /// <summary>
    /// Refuses the request as a suspected leak when it carries an AWS-shaped placeholder of
    /// <paramref name="sandbox"/> (in a SigV4 Credential= or anywhere else in the target or a header)
    /// whose variable is not bound to this host. Those placeholders are never substituted: a key id
    /// only names a key, and a signature over it is replaced by re-signing on the bound hosts.
    /// </summary>
    public bool CheckAwsPlaceholders(HttpRequest request, string rawTarget, InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        if (!placeholders.HasAny(sandbox))
        {
            return true;
        }

        string? variable = Unbound(placeholders.FirstAwsIn(rawTarget, sandbox), plan);
        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            variable ??= Unbound(placeholders.FirstAwsIn(header.Value.ToString(), sandbox), plan);
        }

        if (variable is null)
        {
            return true;
        }

        Fail(InjectionOutcome.PlaceholderLeak, variable, null);
        return false;
    }

    private static string? Unbound(string? variable, InterceptionPlan plan) =>
        variable is not null && !plan.BoundVariables.Contains(variable) ? variable : null;
}
