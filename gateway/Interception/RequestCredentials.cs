using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception;

/// <summary>
/// The credential headers of one intercepted request, worked out before anything is sent: the
/// placeholders found in its headers (replaced when their variable is bound to this host,
/// a refusal otherwise) and every <c>serviceAuth</c> header of the plan. Secrets are read here, at
/// request time, and kept only for the transformer that sets them and the response scrub.
/// </summary>
internal sealed class RequestCredentials
{
    private RequestCredentials()
    {
    }

    /// <summary>How preparation ended.</summary>
    public InjectionOutcome Outcome { get; private set; }

    /// <summary>For a failure: the source or variable concerned (a name, never a value).</summary>
    public string? Subject { get; private set; }

    /// <summary>For <see cref="InjectionOutcome.MissingCredential"/>: where the value was looked for.</summary>
    public string? Looked { get; private set; }

    /// <summary>Headers to set on the upstream request, replacing what the sandbox sent.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The secret values on this request, for scrubbing the response.</summary>
    public List<string> Secrets { get; } = [];

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

    /// <summary>Names of the sources injected (serviceAuth) and of the variables substituted, for the audit log.</summary>
    public List<string> Sources { get; } = [];

    /// <summary>How many serviceAuth headers were set.</summary>
    public int Injected { get; private set; }

    /// <summary>How many placeholders were replaced.</summary>
    public int Substituted { get; private set; }

    /// <summary>Prepares <paramref name="request"/> for <paramref name="plan"/> in <paramref name="sandbox"/>.</summary>
    public static RequestCredentials Prepare(HttpRequest request, string rawTarget, InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        var result = new RequestCredentials();
        if (rawTarget.Contains(Placeholders.Prefix, StringComparison.Ordinal)
            && !result.CheckTarget(rawTarget, plan, sandbox, placeholders))
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

        foreach (ServiceBinding binding in plan.Injections)
        {
            if (binding.Auth is not { } auth)
            {
                continue;
            }

            // override: false keeps a real value the sandbox sent itself, but never an empty one or a placeholder.
            string sent = request.Headers[auth.HeaderName].ToString();
            if (!auth.Override && sent.Length > 0 && !sent.Contains(Placeholders.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (CredentialReader.Read(binding.Source) is not { } secret)
            {
                result.Fail(InjectionOutcome.MissingCredential, binding.Source.Name, CredentialReader.Describe(binding.Source));
                return result;
            }

            result.Set(auth.HeaderName, auth.FormatValue(secret), secret);
            result.Sources.Add(binding.Source.Name);
            result.Injected++;
        }

        return result;
    }

    // A placeholder in the URL is never replaced; toward a host its variable is not bound to it is a leak.
    private bool CheckTarget(string target, InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        for (int at = target.IndexOf(Placeholders.Prefix, StringComparison.Ordinal); at >= 0; at = target.IndexOf(Placeholders.Prefix, at + 1, StringComparison.Ordinal))
        {
            if (placeholders.VariableAt(target, at, sandbox) is { } variable && !plan.BoundVariables.Contains(variable))
            {
                Fail(InjectionOutcome.PlaceholderLeak, variable, null);
                return false;
            }
        }

        return true;
    }

    private bool Substitute(string name, string value, InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        string replaced = value;
        for (int at = value.IndexOf(Placeholders.Prefix, StringComparison.Ordinal); at >= 0; at = value.IndexOf(Placeholders.Prefix, at + 1, StringComparison.Ordinal))
        {
            if (placeholders.VariableAt(value, at, sandbox) is not { } variable)
            {
                continue; // not this sandbox's: worthless text, passed on as sent
            }

            if (!plan.BoundVariables.Contains(variable))
            {
                Fail(InjectionOutcome.PlaceholderLeak, variable, null);
                return false;
            }

            if (CredentialReader.ReadVariable(variable) is not { } secret)
            {
                Fail(InjectionOutcome.MissingCredential, variable, "environment " + variable);
                return false;
            }

            replaced = replaced.Replace(value.Substring(at, Placeholders.Length), secret, StringComparison.Ordinal);
            if (!Secrets.Contains(secret))
            {
                Secrets.Add(secret);
            }

            Substituted++;
            if (!Sources.Contains(variable))
            {
                Sources.Add(variable);
            }
        }

        if (!ReferenceEquals(replaced, value))
        {
            Headers.Add(new(name, replaced));
        }

        return true;
    }

    private void Set(string name, string value, string secret)
    {
        Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
        Headers.Add(new(name, value));
        Secrets.Add(secret);
    }

    private void Fail(InjectionOutcome outcome, string subject, string? looked)
    {
        Outcome = outcome;
        Subject = subject;
        Looked = looked;
    }
}
