using Gateway.Credentials;

namespace Gateway.Interception.Forwarding;

/// <summary>Placeholder substitution: in header values and in the URL query, and in bodies where a source opts in, only toward bound hosts.</summary>
internal sealed partial class RequestCredentials
{
    // A placeholder in the path is never replaced (a path is logged and cached by servers); in the
    // query it is replaced for a bound host; toward a host its variable is not bound to it is a leak.
    private bool SubstituteTarget(string target, int queryAt, InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        for (int at = target.IndexOf(Placeholders.Prefix, StringComparison.Ordinal); at >= 0; at = target.IndexOf(Placeholders.Prefix, at + 1, StringComparison.Ordinal))
        {
            if (placeholders.VariableAt(target, at, sandbox) is not { } variable)
            {
                continue;
            }

            if (!plan.BoundVariables.Contains(variable))
            {
                Fail(InjectionOutcome.PlaceholderLeak, variable, null);
                return false;
            }

            if (queryAt < 0 || at < queryAt)
            {
                continue; // in the path: passed on as sent, worthless to whoever logs it
            }

            if (CredentialReader.ReadVariable(variable) is not { } secret)
            {
                Fail(InjectionOutcome.MissingCredential, variable, "environment " + variable);
                return false;
            }

            QueryEdits.Add(new QueryEdit(target.Substring(at, Placeholders.Length), Uri.EscapeDataString(secret), IsParameter: false));
            Remember(variable, secret);
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
            Remember(variable, secret);
        }

        if (!ReferenceEquals(replaced, value))
        {
            Headers.Add(new(name, replaced));
        }

        return true;
    }

    // body: true sources: the body is read as it streams (PlaceholderBodyContent), so every placeholder
    // that may appear in it is prepared now; a variable with no value on the host is left as sent.
    private void PrepareBody(InterceptionPlan plan, string sandbox, Placeholders placeholders)
    {
        foreach (string variable in plan.BodyVariables)
        {
            if (CredentialReader.ReadVariable(variable) is not { Length: > 0 } secret)
            {
                continue;
            }

            BodyPlaceholders.Add(new BodyPlaceholder(
                System.Text.Encoding.UTF8.GetBytes(placeholders.For(sandbox, variable)), System.Text.Encoding.UTF8.GetBytes(secret)));
            if (!Secrets.Contains(secret))
            {
                Secrets.Add(secret); // an upstream echoing the body must not hand the value back
            }
        }
    }

    private void Remember(string variable, string secret)
    {
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
}
