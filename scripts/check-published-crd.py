#!/usr/bin/env python3
"""Checks router golden objects against a project's published CRD, field by field.

Usage: scripts/check-published-crd.py <published-crd.yaml> <golden.json>...

For each golden object, the spec is walked against the openAPIV3Schema of the CRD version its apiVersion
names (or, for an `apiextensions.k8s.io/v1beta1` CRD such as SMI's `crds/split.yaml`, its top-level
`validation`): unknown fields (where the schema does not keep them), enum values, required members, string
patterns and scalar types. CEL rules (x-kubernetes-validations) are not evaluated. The published CRDs are
not kept in the repository: fetch them from the project at the version to check (docs/routers.md names
the versions checked).
"""
import yaml,json,sys,re
def check(value, schema, path, problems):
    if schema.get('x-kubernetes-preserve-unknown-fields'): return
    t=schema.get('type')
    if 'enum' in schema and value not in schema['enum']: problems.append(f"{path}: {value!r} not in {schema['enum']}")
    if t=='object' and isinstance(value,dict):
        props=schema.get('properties',{})
        for k,v in value.items():
            if k not in props:
                if 'additionalProperties' in schema: continue
                problems.append(f"{path}.{k}: unknown field"); continue
            check(v, props[k], f"{path}.{k}", problems)
        for r in schema.get('required',[]):
            if r not in value: problems.append(f"{path}.{r}: required")
    elif t=='array' and isinstance(value,list):
        for i,v in enumerate(value): check(v, schema.get('items',{}), f"{path}[{i}]", problems)
    elif t=='string':
        if not isinstance(value,str): problems.append(f"{path}: not a string: {value!r}")
        elif 'pattern' in schema and not re.search(schema['pattern'], value): problems.append(f"{path}: {value!r} !~ {schema['pattern']}")
    elif t=='integer' and not isinstance(value,int): problems.append(f"{path}: not an integer")
    elif t=='number' and (isinstance(value,bool) or not isinstance(value,(int,float))): problems.append(f"{path}: not a number")
    elif t=='boolean' and not isinstance(value,bool): problems.append(f"{path}: not a boolean")
crd=yaml.safe_load(open(sys.argv[1]))
for f in sys.argv[2:]:
    obj=json.load(open(f))
    ver=obj['apiVersion'].split('/')[1]
    v=[x for x in crd['spec']['versions'] if x['name']==ver]
    if not v: print(f, 'no version', ver); continue
    problems=[]
    schema=(v[0].get('schema') or crd['spec'].get('validation'))['openAPIV3Schema']
    check(obj.get('spec',{}), schema['properties']['spec'], 'spec', problems)
    for k,v in obj.items():  # members beside the spec (Kuma's top-level mesh)
        if k in ('apiVersion','kind','metadata','spec','status'): continue
        if k not in schema.get('properties',{}): problems.append(f"{k}: unknown field")
        else: check(v, schema['properties'][k], k, problems)
    print(f.split('/')[-1], 'OK' if not problems else problems)
