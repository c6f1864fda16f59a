//! Inference backends: the one trait the detector needs, and its two implementations.
//!
//! ONNX Runtime is loaded from a shared library at run time (`load-dynamic`), so the build
//! downloads nothing and a machine without the library still runs razz on tract.

use crate::error::DetectError;

/// One output of a model run, as plain shape + data.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Runs one model on one NCHW float input.
pub trait Backend: Send {
    /// `"ort"` or `"tract"`.
    fn name(&self) -> &'static str;
    /// The model's input size `(width, height)` when the graph fixes it.
    fn input_size(&self) -> Option<(u32, u32)>;
    fn run(&mut self, input: &[f32], shape: [usize; 4]) -> Result<Vec<OutputTensor>, DetectError>;
}

#[cfg(feature = "ort")]
pub(crate) mod ort_backend {
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use ort::session::Session;
    use ort::session::builder::GraphOptimizationLevel;
    use ort::value::Tensor;

    use super::{Backend, OutputTensor};
    use crate::error::DetectError;

    /// ONNX Runtime can be loaded once per process; the first library found wins.
    static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

    /// Where to look for `libonnxruntime.so` when neither the config nor `ORT_DYLIB_PATH`
    /// names it. `scripts/install.sh` puts it in the first place.
    fn candidates() -> Vec<PathBuf> {
        let mut v = vec![
            PathBuf::from("/usr/local/lib/libonnxruntime.so"),
            PathBuf::from("/usr/lib/libonnxruntime.so"),
        ];
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        {
            v.push(dir.join("libonnxruntime.so"));
        }
        v
    }

    /// Finds the library: explicit path, then `ORT_DYLIB_PATH`, then standard places.
    pub fn find_library(explicit: Option<&Path>) -> Result<PathBuf, DetectError> {
        if let Some(p) = explicit {
            return if p.is_file() {
                Ok(p.to_path_buf())
            } else {
                Err(DetectError::OrtLibraryMissing {
                    searched: p.display().to_string(),
                })
            };
        }
        if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from) {
            return if p.is_file() {
                Ok(p)
            } else {
                Err(DetectError::OrtLibraryMissing {
                    searched: format!("ORT_DYLIB_PATH={}", p.display()),
                })
            };
        }
        let c = candidates();
        c.iter()
            .find(|p| p.is_file())
            .cloned()
            .ok_or_else(|| DetectError::OrtLibraryMissing {
                searched: c
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn environment(lib: &Path) -> Result<&'static ort::environment::Environment, DetectError> {
        let env = ENVIRONMENT.get_or_init(|| {
            let env = ort::init_from(lib)
                .map_err(|e| format!("loading {}: {e}", lib.display()))?
                .with_name("razz")
                .build()
                .map_err(|e| e.to_string())?;
            register_shared_arena(&env).map_err(|e| format!("shared CPU arena: {e}"))?;
            Ok(env)
        });
        env.as_ref().map_err(|e| DetectError::Ort(e.clone()))
    }

    /// Registers one CPU arena with the environment, which every session then uses for its
    /// activations (`session.use_env_allocators`). The detector and the embedder run one after
    /// the other on the inference thread, so the embedder's activations reuse blocks the
    /// detector has just freed instead of growing an arena of their own: the embedder adds
    /// about 6 MiB less to the service at the same speed (docs/decisions.md, "Embedder
    /// memory"). Weights stay outside the arena (`use_device_allocator_for_initializers`), each
    /// sized exactly. The arena is thread-safe; `razz analyze` may run several sessions at once.
    ///
    /// `ort` has no safe wrapper for `CreateAndRegisterAllocator`, so this is the workspace's
    /// one `unsafe` call.
    #[allow(unsafe_code)]
    fn register_shared_arena(env: &ort::environment::Environment) -> Result<(), ort::Error> {
        use ort::AsPointer;
        use ort::memory::{AllocationDevice, AllocatorType, MemoryInfo, MemoryType};
        let info = MemoryInfo::new(
            AllocationDevice::CPU,
            0,
            AllocatorType::Arena,
            MemoryType::Default,
        )?;
        // SAFETY: both pointers come from live `ort` wrappers (non-null, valid for the call;
        // ONNX Runtime copies what it keeps), a null arena config asks for the defaults, and
        // the status returned is owned and released by `result_from_status`. Called once per
        // process, from the environment's `OnceLock`.
        unsafe {
            let status = (ort::api().CreateAndRegisterAllocator)(
                env.ptr().cast_mut(),
                info.ptr(),
                std::ptr::null(),
            );
            ort::Error::result_from_status(status)
        }
    }

    pub struct OrtBackend {
        session: Session,
        input_name: String,
        input_size: Option<(u32, u32)>,
    }

    impl OrtBackend {
        pub fn load(model: &[u8], lib: &Path, threads: usize) -> Result<Self, DetectError> {
            let env = environment(lib)?;
            let err = |e: ort::Error<ort::session::builder::SessionBuilder>| {
                DetectError::Ort(e.to_string())
            };
            let session = Session::builder(env)
                .map_err(|e| DetectError::Ort(e.to_string()))?
                .with_optimization_level(GraphOptimizationLevel::Level3)
                .map_err(err)?
                // No pre-planned block for all activations: the detector holds 14 MiB less and
                // the embedder 2.4 MiB less (examples/embedder_memory.rs). Alone the detector
                // is as fast; in the 5-camera service it measured 4 % slower, within noise
                // (docs/decisions.md, "Embedder memory").
                .with_memory_pattern(false)
                .map_err(err)?
                .with_intra_threads(threads.max(1))
                .map_err(err)?
                .with_inter_threads(1)
                .map_err(err)?
                // Idle pool threads sleep instead of spinning: the detector and the embedder
                // each have a pool, and spinning ones steal the cores the other needs.
                .with_intra_op_spinning(false)
                .map_err(err)?
                // Activations in the environment's shared arena, weights outside it (see
                // `register_shared_arena`).
                .with_env_allocators()
                .map_err(err)?
                .with_config_entry("session.use_device_allocator_for_initializers", "1")
                .map_err(err)?
                .commit_from_memory(model)
                .map_err(|e| DetectError::Ort(e.to_string()))?;
            let input = session
                .inputs()
                .first()
                .ok_or_else(|| DetectError::Ort("model has no input".into()))?;
            let input_size = input.dtype().tensor_shape().and_then(|s| {
                let d: &[i64] = s;
                (d.len() == 4 && d[2] > 0 && d[3] > 0).then(|| (d[3] as u32, d[2] as u32))
            });
            Ok(Self {
                input_name: input.name().to_owned(),
                session,
                input_size,
            })
        }
    }

    impl Backend for OrtBackend {
        fn name(&self) -> &'static str {
            "ort"
        }

        fn input_size(&self) -> Option<(u32, u32)> {
            self.input_size
        }

        fn run(
            &mut self,
            input: &[f32],
            shape: [usize; 4],
        ) -> Result<Vec<OutputTensor>, DetectError> {
            let tensor = Tensor::from_array((shape, input.to_vec()))
                .map_err(|e| DetectError::Ort(e.to_string()))?;
            let outputs = self
                .session
                .run(ort::inputs![self.input_name.as_str() => tensor])
                .map_err(|e| DetectError::Ort(e.to_string()))?;
            let mut out = Vec::with_capacity(outputs.len());
            for (name, value) in outputs.iter() {
                let (shape, data) = value
                    .try_extract_tensor::<f32>()
                    .map_err(|e| DetectError::Ort(format!("output {name}: {e}")))?;
                let dims: &[i64] = shape;
                out.push(OutputTensor {
                    name: name.to_owned(),
                    shape: dims.iter().map(|&d| d.max(0) as usize).collect(),
                    data: data.to_vec(),
                });
            }
            Ok(out)
        }
    }
}

#[cfg(feature = "tract")]
pub(crate) mod tract_backend {
    use tract_linalg::multithread::{Executor, multithread_tract_scope};
    use tract_onnx::prelude::*;
    use tract_onnx::tract_hir::infer::Factoid;

    use super::{Backend, OutputTensor};
    use crate::error::DetectError;

    type Plan = std::sync::Arc<TypedSimplePlan>;

    /// Input shapes planned at once; a camera of another size evicts the oldest plan.
    const MAX_PLANS: usize = 4;

    pub struct TractBackend {
        model: InferenceModel,
        /// Plans by input shape (tract optimises for one concrete shape), newest last.
        plans: Vec<([usize; 4], Plan, Vec<String>)>,
        input_size: Option<(u32, u32)>,
        executor: Executor,
    }

    fn terr(e: impl std::fmt::Display) -> DetectError {
        DetectError::Tract(e.to_string())
    }

    impl TractBackend {
        /// Parses the model; it is optimised for each input shape when that shape first runs.
        pub fn load(model: &[u8], threads: usize) -> Result<Self, DetectError> {
            let mut reader = std::io::Cursor::new(model);
            let model = tract_onnx::onnx()
                .model_for_read(&mut reader)
                .map_err(terr)?;
            let fact = model.input_fact(0).map_err(terr)?;
            let dim = |i: usize| {
                fact.shape
                    .dims()
                    .nth(i)
                    .and_then(|d| d.concretize())
                    .and_then(|d| d.as_i64())
                    .and_then(|d| u32::try_from(d).ok())
                    .filter(|&d| d > 0)
            };
            let input_size = dim(3).zip(dim(2));
            let executor = if threads > 1 {
                Executor::multithread_with_name(threads, "razz-tract")
            } else {
                Executor::SingleThread
            };
            let mut backend = Self {
                model,
                plans: Vec::new(),
                input_size,
                executor,
            };
            // A fixed-size model is planned now, so a broken model fails at load.
            if let Some((w, h)) = input_size {
                backend.plan([1, 3, h as usize, w as usize])?;
            }
            Ok(backend)
        }

        /// The plan for `shape`, optimised now if it is new.
        fn plan(&mut self, shape: [usize; 4]) -> Result<(Plan, Vec<String>), DetectError> {
            if let Some(i) = self.plans.iter().position(|(s, _, _)| *s == shape) {
                let entry = self.plans.remove(i);
                let out = (entry.1.clone(), entry.2.clone());
                self.plans.push(entry);
                return Ok(out);
            }
            let typed = self
                .model
                .clone()
                .with_input_fact(0, f32::fact(shape).into())
                .map_err(terr)?
                .into_optimized()
                .map_err(terr)?;
            let names: Vec<String> = typed
                .outputs
                .iter()
                .map(|o| typed.node(o.node).name.clone())
                .collect();
            let plan = typed.into_runnable().map_err(terr)?;
            if self.plans.len() >= MAX_PLANS {
                self.plans.remove(0);
            }
            self.plans.push((shape, plan.clone(), names.clone()));
            Ok((plan, names))
        }
    }

    impl Backend for TractBackend {
        fn name(&self) -> &'static str {
            "tract"
        }

        fn input_size(&self) -> Option<(u32, u32)> {
            self.input_size
        }

        fn run(
            &mut self,
            input: &[f32],
            shape: [usize; 4],
        ) -> Result<Vec<OutputTensor>, DetectError> {
            let (plan, output_names) = self.plan(shape)?;
            let tensor = Tensor::from_shape(&shape, input).map_err(terr)?;
            let result =
                multithread_tract_scope(self.executor.clone(), || plan.run(tvec!(tensor.into())))
                    .map_err(terr)?;
            result
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let view = v.to_plain_array_view::<f32>().map_err(terr)?;
                    Ok(OutputTensor {
                        name: output_names.get(i).cloned().unwrap_or_default(),
                        shape: view.shape().to_vec(),
                        data: view.iter().copied().collect(),
                    })
                })
                .collect()
        }
    }
}
