using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Policy;
using PolicyCompiler.Compilation;
using PolicyCompiler.Files;
using PolicyCompiler.Hosts;

namespace Gateway.Sandboxes;

/// <summary>
/// Maps a client's source address to its sandbox: static sandboxes from the config plus those
/// vmm registers over the admin API (persisted in <c>sandboxes.json</c>, so a restart keeps
/// them). An unregistered loopback client is the sandbox "host"; any other unregistered address
/// belongs to no sandbox and is refused (fail closed: an unknown network cannot borrow a policy).
/// </summary>
internal sealed class SandboxRegistry
{
    private const string FileName = "sandboxes.json";

    private readonly ImmutableArray<Sandbox> _static;
    private readonly string? _file;
    private readonly Lock _writeLock = new();
    private State _state;

    public SandboxRegistry(IEnumerable<SandboxConfig> statics, string? stateDirectory)
    {
        var sandboxes = ImmutableArray.CreateBuilder<Sandbox>();
        foreach (SandboxConfig config in statics)
        {
            sandboxes.Add(new Sandbox(config.Name, config.Addresses, config.Kits, Sandbox.DigestOf(config.Name, config.Token), registered: false));
        }

        _static = sandboxes.ToImmutable();
        _file = stateDirectory is null ? null : Path.Combine(stateDirectory, FileName);
        List<Sandbox> registered = LoadRegistered(_file, out bool plaintext);
        _state = State.Build(_static, registered);
        if (plaintext)
        {
            // A registry an older gateway wrote holds tokens in the clear: rewrite it with digests now.
            lock (_writeLock)
            {
                Commit(registered);
            }
        }
    }

    /// <summary>Every known sandbox: config ones first, then registered ones by name.</summary>
    public IReadOnlyList<Sandbox> All => Volatile.Read(ref _state).All;

    /// <summary>
    /// The sandbox called <paramref name="name"/>, static or registered, or null with the names
    /// known (<paramref name="known"/>, "host" first). The daemon's admin API and the CLI without a
    /// daemon both resolve names here, so a sandbox vmm registered is known to every command.
    /// </summary>
    public Sandbox? Find(string name, out string known)
    {
        var names = new List<string> { Sandbox.Host.Name };
        foreach (Sandbox sandbox in All)
        {
            if (sandbox.Name == name)
            {
                known = string.Empty;
                return sandbox;
            }

            names.Add(sandbox.Name);
        }

        known = string.Join(", ", names);
        return null;
    }

    /// <summary>The sandbox a connection from <paramref name="address"/> belongs to, or null.</summary>
    public Sandbox? Identify(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (Volatile.Read(ref _state).ByAddress.TryGetValue(address, out Sandbox? sandbox))
        {
            return sandbox;
        }

        return IPAddress.IsLoopback(address) ? Sandbox.Host : null;
    }

    /// <summary>
    /// The sandbox's kits as indices of <paramref name="snapshot"/>, and its own scope when rules
    /// are scoped to it (<c>policy allow … --sandbox NAME</c>): what the snapshot decides it with.
    /// </summary>
    public static KitSet KitsOf(Sandbox sandbox, PolicySnapshot snapshot)
    {
        KitSet kits = snapshot.TryGetSandboxIndex(sandbox.Name, out int scope) ? KitSet.None.WithSandbox(scope) : KitSet.None;
        foreach (string kit in sandbox.Kits)
        {
            if (snapshot.TryGetKitIndex(kit, out int index))
            {
                kits = kits.With(index);
            }
        }

        return kits;
    }

    /// <summary>Registers (or replaces) a sandbox; returns every problem, registering nothing, when it is invalid.</summary>
    public List<string> Register(SandboxRegistration registration, PolicySnapshot snapshot)
    {
        var errors = new List<string>();
        Sandbox sandbox = Validate(registration, snapshot, errors);
        lock (_writeLock)
        {
            State current = _state;
            foreach (Sandbox other in current.All)
            {
                if (other.Name == sandbox.Name && !other.Registered)
                {
                    errors.Add($"sandbox \"{sandbox.Name}\" is defined in the config and cannot be registered over it");
                }

                foreach (IPAddress address in sandbox.Addresses)
                {
                    if (other.Name != sandbox.Name && other.Addresses.Contains(address))
                    {
                        errors.Add($"address {address} already belongs to sandbox \"{other.Name}\"");
                    }
                }
            }

            if (errors.Count > 0)
            {
                return errors;
            }

            var registered = new List<Sandbox>();
            foreach (Sandbox existing in current.Registered)
            {
                if (existing.Name != sandbox.Name)
                {
                    registered.Add(existing);
                }
            }

            registered.Add(sandbox);
            Commit(registered);
        }

        return errors;
    }

    /// <summary>Forgets a registered sandbox; false when none has that name.</summary>
    public bool Unregister(string name)
    {
        lock (_writeLock)
        {
            var registered = new List<Sandbox>();
            bool found = false;
            foreach (Sandbox existing in _state.Registered)
            {
                if (existing.Name == name)
                {
                    found = true;
                }
                else
                {
                    registered.Add(existing);
                }
            }

            if (found)
            {
                Commit(registered);
            }

            return found;
        }
    }

    /// <summary>Registered sandboxes as persisted, for `gateway sandbox ls` without a daemon.</summary>
    public static List<SandboxRegistration> LoadRegistrations(string stateDirectory) =>
        ReadFile(Path.Combine(stateDirectory, FileName));

    private void Commit(List<Sandbox> registered)
    {
        registered.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        if (_file is not null)
        {
            var rows = new List<SandboxRegistration>(registered.Count);
            foreach (Sandbox sandbox in registered)
            {
                rows.Add(new SandboxRegistration(sandbox.Name, [.. sandbox.Addresses.Select(a => a.ToString())], [.. sandbox.Kits], null, sandbox.TokenDigest));
            }

            // Token digests are in this file: owner-only from creation, like the admin socket.
            AtomicFile.Write(
                _file, rows, static (stream, value) => JsonSerializer.Serialize(stream, value, SandboxJsonContext.Default.ListSandboxRegistration), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Volatile.Write(ref _state, State.Build(_static, registered));
    }

    // Builds the sandbox even when invalid, so conflicts are reported along with everything else.
    private static Sandbox Validate(SandboxRegistration registration, PolicySnapshot snapshot, List<string> errors)
    {
        if (string.IsNullOrEmpty(registration.Name) || registration.Name == "host" || !IsName(registration.Name))
        {
            errors.Add($"name \"{registration.Name}\": use lowercase letters, digits and '-', starting with a letter or digit (\"host\" is reserved)");
        }

        var addresses = ImmutableArray.CreateBuilder<IPAddress>();
        foreach (string text in registration.Addresses ?? [])
        {
            string? canonical = HostCanonicalizer.Canonicalize(text, out HostKind kind, out _);
            if (canonical is null || kind == HostKind.Name)
            {
                errors.Add($"address \"{text}\" is not an IP address");
                continue;
            }

            addresses.Add(IPAddress.Parse(canonical));
        }

        if (addresses.Count == 0 && errors.Count == 0)
        {
            errors.Add("a sandbox needs at least one address");
        }

        foreach (string kit in registration.Kits ?? [])
        {
            if (!snapshot.TryGetKitIndex(kit, out _))
            {
                errors.Add($"kit \"{kit}\" is not loaded; known kits: {(snapshot.Kits.IsEmpty ? "none" : string.Join(", ", snapshot.Kits))}");
            }
        }

        if (registration.Token is { } token && (token.Length < 16 || token.Any(c => c <= ' ' || c > '~')))
        {
            errors.Add("token must be at least 16 visible ASCII characters");
        }

        string name = registration.Name ?? string.Empty;
        return new Sandbox(name, addresses.ToImmutable(), [.. registration.Kits ?? []], Sandbox.DigestOf(name, registration.Token), registered: true);
    }

    private static bool IsName(string name)
    {
        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return name.Length <= 63;
    }

    private static List<Sandbox> LoadRegistered(string? file, out bool plaintext)
    {
        plaintext = false;
        var sandboxes = new List<Sandbox>();
        if (file is null)
        {
            return sandboxes;
        }

        foreach (SandboxRegistration row in ReadFile(file))
        {
            var addresses = ImmutableArray.CreateBuilder<IPAddress>();
            foreach (string text in row.Addresses)
            {
                if (IPAddress.TryParse(text, out IPAddress? address))
                {
                    addresses.Add(address);
                }
            }

            // A file written before digests holds the token itself: it is read as its digest, and
            // the next write replaces it.
            string? digest = row.TokenSha256 ?? Sandbox.DigestOf(row.Name, row.Token);
            plaintext |= row.Token is not null;
            sandboxes.Add(new Sandbox(row.Name, addresses.ToImmutable(), [.. row.Kits ?? []], digest, registered: true));
        }

        return sandboxes;
    }

    private static List<SandboxRegistration> ReadFile(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(file), SandboxJsonContext.Default.ListSandboxRegistration) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (JsonException e)
        {
            throw new PolicyStoreException($"{file} is not a valid sandbox registry ({e.Message}); fix or delete it and register the sandboxes again", e);
        }
    }

    private sealed record State(ImmutableArray<Sandbox> All, List<Sandbox> Registered, FrozenDictionary<IPAddress, Sandbox> ByAddress)
    {
        public static State Build(ImmutableArray<Sandbox> statics, List<Sandbox> registered)
        {
            var byAddress = new Dictionary<IPAddress, Sandbox>();
            foreach (Sandbox sandbox in statics.Concat(registered))
            {
                foreach (IPAddress address in sandbox.Addresses)
                {
                    byAddress[address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address] = sandbox;
                }
            }

            return new State([.. statics, .. registered], registered, byAddress.ToFrozenDictionary());
        }
    }
}
