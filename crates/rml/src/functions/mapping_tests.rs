//! Function-valued term maps in whole mappings: parsing, checks and execution.

use crate::tests::run;
use crate::RmlError;

const FN_PREFIXES: &str = "@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .\n@prefix idlab-fn: <https://w3id.org/imec/idlab/function#> .\n";

fn csv_source(file: &str) -> String {
    format!("rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ]")
}

fn mapping(body: &str) -> String {
    format!("{FN_PREFIXES}{body}")
}

const PEOPLE: (&str, &str) = (
    "p.csv",
    "id,name,tags,score\n1, ada lovelace ,a;b,3.7\n2,,c,x\n",
);

#[test]
fn nested_functions_and_constants_in_every_position() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:name;
             rml:objectMap [ rml:functionExecution [ rml:function grel:toUpperCase;
               rml:input [ rml:parameter grel:valueParam;
                 rml:inputValueMap [ rml:functionExecution [ rml:function grel:string_trim;
                   rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:reference \"name\" ] ] ] ] ] ];
               rml:language \"en\" ] ] .",
        csv_source("p.csv")
    ));
    let out = run(&m, &[PEOPLE]).unwrap();
    // Row 2 has no name: the function is not called and no triple is made.
    assert_eq!(
        out,
        ["<http://example.com/p/1> <http://example.com/name> \"ADA LOVELACE\"@en ."]
    );
}

#[test]
fn a_list_result_gives_one_term_per_value() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:tag;
             rml:objectMap [ rml:functionExecution [ rml:function grel:string_split;
               rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:reference \"tags\" ] ],
                         [ rml:parameter grel:param_string_sep; rml:inputValue \";\" ] ];
               rml:termType rml:IRI ] ] .",
        csv_source("p.csv")
    ));
    // The values are used as they are: relative IRIs are resolved against the base.
    let out = run(&m, &[PEOPLE]).unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/p/1> <http://example.com/tag> <http://example.com/base/a> .",
            "<http://example.com/p/1> <http://example.com/tag> <http://example.com/base/b> .",
            "<http://example.com/p/2> <http://example.com/tag> <http://example.com/base/c> .",
        ]
    );
}

#[test]
fn results_keep_their_natural_datatype_and_bad_numbers_are_data_errors() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:score;
             rml:objectMap [ rml:functionExecution [ rml:function grel:math_round;
               rml:input [ rml:parameter grel:param_dec_n; rml:inputValueMap [ rml:reference \"score\" ] ] ] ] ] .",
        csv_source("p.csv")
    ));
    let e = run(&m, &[PEOPLE]).unwrap_err();
    assert!(
        matches!(&e, RmlError::Data { line: 3, message, .. } if message.contains("\"x\" is not a number")),
        "{e}"
    );
    let out = run(&m, &[("p.csv", "id,score\n1,3.7\n")]).unwrap();
    assert_eq!(
        out,
        ["<http://example.com/p/1> <http://example.com/score> \"4\"^^<http://www.w3.org/2001/XMLSchema#integer> ."]
    );
}

#[test]
fn a_condition_filters_subjects() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{name}}\";
             rml:condition [ rml:functionExecution [ rml:function idlab-fn:isNull;
               rml:input [ rml:parameter idlab-fn:_str; rml:inputValueMap [ rml:reference \"tags\" ] ] ];
               rml:return idlab-fn:_boolOut ] ];
           rml:predicateObjectMap [ rml:predicate ex:id; rml:objectMap [ rml:reference \"id\" ] ] .",
        csv_source("q.csv")
    ));
    let out = run(&m, &[("q.csv", "id,name,tags\n1,A B,\n2,C,x\n")]).unwrap();
    // The subject keeps its percent-encoding through the condition.
    assert_eq!(
        out,
        ["<http://example.com/p/A%20B> <http://example.com/id> \"1\" ."]
    );
}

#[test]
fn json_values_are_applied_one_by_one() {
    let m = mapping(
        "ex:TM rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$.people[*]\";
             rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"p.json\" ] ];
           rml:subjectMap [ rml:template \"http://example.com/p/{id}\" ];
           rml:predicateObjectMap [ rml:predicate ex:nick;
             rml:objectMap [ rml:functionExecution [ rml:function grel:toUpperCase;
               rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:reference \"nicks[*]\" ] ] ] ] ];
           rml:predicateObjectMap [ rml:predicate ex:nicks;
             rml:objectMap [ rml:functionExecution [ rml:function grel:array_join;
               rml:input [ rml:parameter grel:param_a; rml:inputValueMap [ rml:reference \"nicks[*]\" ] ],
                         [ rml:parameter grel:param_string_sep; rml:inputValue \"+\" ] ] ] ] .",
    );
    let out = run(
        &m,
        &[("p.json", r#"{"people": [{"id": 1, "nicks": ["a", "b"]}]}"#)],
    )
    .unwrap();
    assert_eq!(
        out,
        [
            "<http://example.com/p/1> <http://example.com/nick> \"A\" .",
            "<http://example.com/p/1> <http://example.com/nick> \"B\" .",
            "<http://example.com/p/1> <http://example.com/nicks> \"a+b\" .",
        ]
    );
}

#[test]
fn functions_work_in_join_conditions() {
    let m = mapping(&format!(
        "ex:Child {};
           rml:subjectMap [ rml:template \"http://example.com/c/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:parent; rml:objectMap [ rml:parentTriplesMap ex:Parent;
             rml:joinCondition [ rml:parent \"code\";
               rml:childMap [ rml:functionExecution [ rml:function grel:toUpperCase;
                 rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:reference \"code\" ] ] ] ] ] ] ] .
         ex:Parent {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{code}}\" ] .",
        csv_source("c.csv"),
        csv_source("parents.csv")
    ));
    let out = run(
        &m,
        &[
            ("c.csv", "id,code\n1,ab\n2,zz\n"),
            ("parents.csv", "code\nAB\n"),
        ],
    )
    .unwrap();
    assert_eq!(
        out,
        ["<http://example.com/c/1> <http://example.com/parent> <http://example.com/p/AB> ."]
    );
}

/// The mapping error of a mapping whose object map calls `execution`.
fn refusal(execution: &str) -> String {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:name;
             rml:objectMap [ rml:functionExecution ex:Exec ] ] .
         ex:Exec {execution} .",
        csv_source("p.csv")
    ));
    match run(&m, &[PEOPLE]) {
        Err(e @ RmlError::Mapping { line: Some(_), .. }) => e.to_string(),
        other => panic!("expected a mapping error with a line, got {other:?}"),
    }
}

#[test]
fn mistakes_in_executions_are_mapping_errors_with_a_line() {
    let e = refusal("rml:function grel:toUpperCas; rml:input [ rml:parameter grel:valueParam; rml:inputValue \"x\" ]");
    assert!(
        e.contains(
            "unknown function <http://users.ugent.be/~bjdmeest/function/grel.ttl#toUpperCas>"
        ),
        "{e}"
    );
    assert!(
        e.contains("did you mean <http://users.ugent.be/~bjdmeest/function/grel.ttl#toUpperCase>?"),
        "{e}"
    );
    let e = refusal("rml:function grel:string_substring; rml:input [ rml:parameter grel:valueParam; rml:inputValue \"x\" ]");
    assert!(
        e.contains(
            "needs its parameter <http://users.ugent.be/~bjdmeest/function/grel.ttl#p_int_i_from>"
        ),
        "{e}"
    );
    let e = refusal("rml:function grel:toUpperCase; rml:input [ rml:parameter grel:valueParam; rml:inputValue \"x\" ], [ rml:parameter grel:valueParam; rml:inputValue \"y\" ]");
    assert!(e.contains("is given twice"), "{e}");
    let e = refusal("rml:function grel:toUpperCase; rml:input [ rml:parameter grel:valueParam ]");
    assert!(
        e.contains("exactly one rml:inputValue or rml:inputValueMap"),
        "{e}"
    );
    let e = refusal("rml:functionMap [ rml:reference \"id\" ]");
    assert!(e.contains("must have one rml:constant"), "{e}");
    // An execution that feeds itself.
    let e = refusal("rml:function grel:toUpperCase; rml:input [ rml:parameter grel:valueParam; rml:inputValueMap [ rml:functionExecution ex:Exec ] ]");
    assert!(e.contains("nest more than"), "{e}");
}

#[test]
fn return_without_a_function_is_refused() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:name;
             rml:objectMap [ rml:reference \"name\"; rml:return grel:stringOut ] ] .",
        csv_source("p.csv")
    ));
    let e = run(&m, &[PEOPLE]).unwrap_err().to_string();
    assert!(
        e.contains("only apply to a term map with an rml:functionExecution"),
        "{e}"
    );
}

#[test]
fn a_referencing_object_map_cannot_call_a_function() {
    let m = mapping(&format!(
        "ex:TM {};
           rml:subjectMap [ rml:template \"http://example.com/p/{{id}}\" ];
           rml:predicateObjectMap [ rml:predicate ex:self;
             rml:objectMap [ rml:parentTriplesMap ex:TM;
               rml:functionExecution [ rml:function grel:toUpperCase;
                 rml:input [ rml:parameter grel:valueParam; rml:inputValue \"x\" ] ] ] ] .",
        csv_source("p.csv")
    ));
    let e = run(&m, &[PEOPLE]).unwrap_err().to_string();
    assert!(
        e.contains("a referencing object map cannot have rml:functionExecution"),
        "{e}"
    );
}
