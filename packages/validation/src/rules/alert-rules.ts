import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { namespaceOf } from '../render.js';
import { flag, type PolicyRule, type RuleFinding } from '../rule.js';

export const alertProviderAddressOrSecret: PolicyRule = {
  id: 'alertprovider.address-or-secret',
  description:
    "An AlertProvider reads its webhook address from a Secret (secretRef), never an inline address; a generated Secret's name must be the one it references.",
  check(render) {
    return render.ofKind('AlertProvider').flatMap((provider): RuleFinding[] => {
      const spec = asRecord(provider.spec) ?? {};
      const secret = asString(at(spec, 'secretRef', 'name'));
      if (spec.address !== undefined) {
        return [
          {
            object: provider,
            field: 'spec.address',
            message: secret
              ? 'set together with secretRef: the CRD allows only one; keep secretRef'
              : 'an inline webhook address is a credential in Git: move it to a Secret and use secretRef',
          },
        ];
      }
      if (!secret) {
        return flag(provider, 'spec.secretRef', 'not set: name the Secret holding the address');
      }
      const namespace = namespaceOf(provider);
      if (render.find('Secret', secret, namespace)) return [];
      // A secretGenerator appends a content hash to the name, and kustomize does not know that
      // AlertProvider.spec.secretRef is a name reference, so the reference stays unhashed.
      const hashed = render.hashedVariant('Secret', secret, namespace);
      if (!hashed) return [];
      return flag(
        provider,
        'spec.secretRef.name',
        `${secret} does not exist, the generated Secret is ${hashed}: set generatorOptions.disableNameSuffixHash or teach kustomize the reference (configurations: nameReference)`,
      );
    });
  },
};

export const alertsSeverity: PolicyRule = {
  id: 'alerts.severity',
  description:
    'Every analysis.alerts entry sets severity (info, warn or error): without it Flagger sends nothing.',
  check(render) {
    return render
      .ofKind('Canary')
      .flatMap((canary) =>
        asList(at(canary, 'spec', 'analysis', 'alerts')).flatMap((alert, index): RuleFinding[] =>
          asString(at(alert, 'severity'))
            ? []
            : flag(
                canary,
                fieldPath('spec', 'analysis', 'alerts', index, 'severity'),
                'not set: Flagger matches no events without it (info, warn or error)',
              ),
        ),
      );
  },
};

export const alertsProviderExists: PolicyRule = {
  id: 'alerts.provider-exists',
  description: 'analysis.alerts[].providerRef names an AlertProvider of the same render.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary) =>
      asList(at(canary, 'spec', 'analysis', 'alerts')).flatMap((alert, index): RuleFinding[] => {
        const name = asString(at(alert, 'providerRef', 'name')) ?? '';
        const namespace = asString(at(alert, 'providerRef', 'namespace')) ?? namespaceOf(canary);
        if (render.find('AlertProvider', name, namespace)) return [];
        return flag(
          canary,
          fieldPath('spec', 'analysis', 'alerts', index, 'providerRef'),
          `AlertProvider/${name}${namespace ? ` (namespace ${namespace})` : ''} is not in this render`,
        );
      }),
    );
  },
};
