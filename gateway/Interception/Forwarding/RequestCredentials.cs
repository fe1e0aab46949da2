using Gateway.Credentials;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PolicyCompiler.Kits;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The credentials of one intercepted request, worked out before anything is sent: the
/// placeholders found in its headers and URL query (replaced when their variable is bound to this
/// host, a refusal otherwise) and every <c>serviceAuth</c> presentation of the plan, each value asked
/// of the <see cref="CredentialBroker"/>. Secrets are kept only for the transformer that sets them
/// and the response scrub.
/// </summary>
internal sealed partial class RequestCredentials
{
    private RequestCredentials()
    {
    }

    /// <summary>How preparation ended.</summary>
    public InjectionOutcome Outcome { get; private set; }

    /// <summary>For a failure: the source or variable concerned (a name, never a value).</summary>
    public string? Subject { get; private set; }

    /// <summary>For <see cref="InjectionOutcome.MissingCredential"/>: where the value was looked for; for <see cref="InjectionOutcome.CredentialFailed"/>: what failed.</summary>
    public string? Looked { get; private set; }

    /// <summary>Headers to set on the upstream request, replacing what the sandbox sent.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>
    /// Query rewrites for the upstream URL: (parameter, escaped value) for a <c>scheme: query</c>
    /// presentation; (placeholder, escaped value) for a substituted placeholder (see <see cref="QueryRewriter"/>).
    /// </summary>
    public List<QueryEdit> QueryEdits { get; } = [];

    /// <summary>
    /// For <c>scheme: aws-sigv4</c>: the presentation and the real key pair the request is re-signed
    /// with where the transformer builds the upstream request (the SigV4 seam); null otherwise.
    /// </summary>
    public (KitServiceAuth Auth, AwsKeyPair Keys)? SigV4 { get; private set; }

    /// <summary>Placeholders to replace in the request body (sources with <c>body: true</c> bound to this host); empty for most requests.</summary>
    public List<BodyPlaceholder> BodyPlaceholders { get; } = [];

    /// <summary>The secret values on this request, for scrubbing the response.</summary>
    public List<string> Secrets { get; } = [];

    /// <summary>Names of the sources injected (serviceAuth) and of the variables substituted, for the audit log.</summary>
    public List<string> Sources { get; } = [];

    /// <summary>How many serviceAuth presentations were set.</summary>
    public int Injected { get; private set; }

    /// <summary>How many placeholders were replaced.</summary>
    public int Substituted { get; private set; }

    /// <summary>The non-empty secrets as UTF-8, for scrubbing the response body.</summary>
    public byte[][] SecretBytes()
    {
        var bytes = new List<byte[]>(Secrets.Count);
        foreach (string secret in Secrets)
        {
            if (secret.Length > 0)
            {
                bytes.Add(System.Text.Encoding.UTF8.GetBytes(secret));
            }
        }

        return [.. bytes];
    }

    /// <summary>Prepares <paramref name="request"/> for <paramref name="plan"/> in <paramref name="sandbox"/>.</summary>
    public static async ValueTask<RequestCredentials> PrepareAsync(
        HttpRequest request, string rawTarget, InterceptionPlan plan, string sandbox, Placeholders placeholders, CredentialBroker broker, CancellationToken cancellationToken)
    {
        var result = new RequestCredentials();
        int queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (rawTarget.Contains(Placeholders.Prefix, StringComparison.Ordinal)
            && !result.SubstituteTarget(rawTarget, queryAt, plan, sandbox, placeholders))
        {
            return result;
        }

        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            string value = header.Value.ToString();
            if (value.Contains(Placeholders.Prefix, StringComparison.Ordinal)
                && !result.Substitute(header.Key, value, plan, sandbox, placeholders))
            {
                return result;
            }
        }

        result.PrepareBody(plan, sandbox, placeholders);
        foreach (ServiceBinding binding in plan.Injections)
        {
            if (binding.Auth is not { } auth || result.KeepsSandboxValue(request, rawTarget, queryAt, auth))
            {
                continue;
            }

            CredentialResult fetched = await broker.GetAsync(binding.Source, cancellationToken).ConfigureAwait(false);
            if (fetched.Value is not { } credential)
            {
                result.Fail(fetched.Missing ? InjectionOutcome.MissingCredential : InjectionOutcome.CredentialFailed, binding.Source.Name, fetched.Failure);
                return result;
            }

            if (!result.Present(auth, credential))
            {
                return result;
            }

            result.Sources.Add(binding.Source.Name);
            result.Injected++;
        }

        return result;
    }

    // override: false keeps a real value the sandbox sent itself, but never an empty one or a placeholder.
    private bool KeepsSandboxValue(HttpRequest request, string rawTarget, int queryAt, KitServiceAuth auth)
    {
        if (auth.Override)
        {
            return false;
        }

        string sent = auth.Scheme == KitAuthScheme.Query
            ? (queryAt < 0 ? "" : QueryRewriter.ValueOf(rawTarget.AsSpan(queryAt + 1), auth.Parameter!))
            : request.Headers[auth.HeaderName].ToString();
        return sent.Length > 0 && !sent.Contains(Placeholders.Prefix, StringComparison.Ordinal);
    }

    private bool Present(KitServiceAuth auth, Credential credential)
    {
        switch (auth.Scheme)
        {
            case KitAuthScheme.AwsSigV4:
                // The SigV4 seam: the handler settles the payload hash (SigV4Signing) and the transformer
                // re-signs the upstream request with these keys. The secret never goes on the wire; the
                // session token does, so a response echoing it is scrubbed.
                SigV4 = (auth, credential.KeyPair!);
                if (credential.KeyPair!.SessionToken is { Length: > 0 } token)
                {
                    Secrets.Add(token);
                }

                return true;
            case KitAuthScheme.Query:
                QueryEdits.Add(new QueryEdit(auth.Parameter!, credential.Presented(auth), IsParameter: true));
                Secrets.Add(credential.Token!);
                return true;
            default:
                string value = credential.Presented(auth);
                Headers.RemoveAll(h => string.Equals(h.Key, auth.HeaderName, StringComparison.OrdinalIgnoreCase));
                Headers.Add(new(auth.HeaderName, value));
                Secrets.Add(credential.Token!);
                if (auth.Scheme == KitAuthScheme.Basic)
                {
                    Secrets.Add(value["Basic ".Length..]); // the encoded pair, should an upstream echo the header
                }

                return true;
        }
    }

    private void Fail(InjectionOutcome outcome, string subject, string? looked)
    {
        Outcome = outcome;
        Subject = subject;
        Looked = looked;
    }
}
